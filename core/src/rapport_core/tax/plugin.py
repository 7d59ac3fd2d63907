"""The tax domain's built-in plugin: the ``rapport tax`` commands."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from rapport_core.cli import console, emit, run
from rapport_core.commands import cli_actor, find_partner, firm_option
from rapport_core.plugins import hookimpl


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli.add_command(tax_group)


@click.group("tax")
def tax_group() -> None:
    """W-9s, 1099-NECs and FIRE files."""


def _year_default() -> int:
    return dt.date.today().year - 1


@tax_group.command("status")
@click.option("--year", type=int, default=None, help="Tax year (default: this year).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@firm_option
def tax_status(year: int | None, as_json: bool, firm_slug: str | None) -> None:
    """Payees of a year: box 1, box 4, threshold status and W-9 status."""
    from rapport_core.tax.nec import year_summary
    from rapport_core.tax.pdf import dollars

    year = year or dt.date.today().year

    async def body():
        return await year_summary(await cli_actor(firm_slug), year)

    rows = [
        {
            "partner_id": p.partner_id,
            "name": p.name,
            "box1": dollars(p.box1_cents),
            "box4": dollars(p.box4_cents),
            "status": p.status.value,
            "w9": p.w9.tin_masked if p.w9 else "missing",
            "backup_withholding": "due" if p.backup_withholding_due else "",
        }
        for p in run(body)
    ]
    emit(rows, as_json=as_json, columns=list(rows[0]) if rows else ["name"])


@tax_group.command("w9-link")
@click.argument("partner")
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True)
@firm_option
def w9_link(partner: str, base_url: str, firm_slug: str | None) -> None:
    """Create a W-9 link for PARTNER (name or id) to pass on; it is shown once."""
    from rapport_core.tax.w9 import create_link

    async def body():
        actor = await cli_actor(firm_slug)
        return await create_link(actor, await find_partner(actor, partner), base_url)

    link = run(body)
    click.echo(f"{link.url}\n(expires {link.expires_at:%Y-%m-%d %H:%M} UTC; works once)")


@tax_group.command("1099")
@click.option("--year", type=int, default=None, help="Tax year (default: last year).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--fire", "fire_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--test-file", is_flag=True, help="Mark the FIRE file as a test transmission.")
@firm_option
def tax_1099(
    year: int | None, out_dir: Path, fire_path: Path | None, test_file: bool, firm_slug: str | None
) -> None:
    """Generate (once) and write the year's 1099-NEC PDFs, the summary and a FIRE file."""
    from rich.progress import Progress

    from rapport_core.tax import filings
    from rapport_core.tax.tables import Filing

    year = year or _year_default()
    out_dir.mkdir(parents=True, exist_ok=True)

    async def body():
        actor = await cli_actor(firm_slug)
        generated = await Filing.exists().where(
            Filing.firm == actor.firm_id, Filing.tax_year == year
        )
        if not generated:
            with Progress(console=console, transient=True) as bar:
                task = bar.add_task(f"1099-NEC {year}", total=None)
                await filings.generate_year(
                    actor,
                    year,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
        written = []
        for filing in await filings.filings_for(actor, year):
            _, pdf = await filings.filing_pdf(actor, filing.id)
            path = out_dir / f"1099-NEC-{year}-P{filing.partner_id}.pdf"
            path.write_bytes(pdf)
            written.append(path)
        (out_dir / f"1096-summary-{year}.pdf").write_bytes(
            await filings.year_summary_pdf(actor, year)
        )
        if fire_path:
            fire_path.write_text(await filings.fire_file(actor, year, test=test_file), newline="")
        return generated, written

    already, written = run(body)
    note = "already generated; written from the stored records" if already else "generated"
    click.echo(f"{len(written)} 1099-NEC PDFs for {year} ({note}) in {out_dir}")
    if fire_path:
        click.echo(f"FIRE file: {fire_path}")


@tax_group.command("fire-validate")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def fire_validate(path: Path) -> None:
    """Check a FIRE file against Publication 1220; report the first bad field (exit 1)."""
    from rapport_core.tax.fire import validate

    text = path.read_bytes().decode("ascii", errors="replace")
    bad = validate(text)
    if bad is None:
        click.echo(f"{path}: valid")
        return
    click.echo(f"{path}: {bad}", err=True)
    sys.exit(1)


@tax_group.command("payer")
@click.option("--legal-name", required=True)
@click.option("--tin", required=True, help="The firm's EIN (or SSN with --tin-type ssn).")
@click.option("--tin-type", type=click.Choice(["ein", "ssn"]), default="ein", show_default=True)
@click.option("--address", required=True)
@click.option("--city", required=True)
@click.option("--state", required=True)
@click.option("--postal-code", required=True)
@click.option("--phone", required=True)
@click.option("--contact-name", default="")
@click.option("--contact-email", default="")
@click.option(
    "--tcc", "transmitter_control_code", default="", help="FIRE transmitter control code."
)
@click.option("--state-payer-number", default="", help="Box 6, where the state assigns one.")
@firm_option
def tax_payer(firm_slug: str | None, **fields) -> None:
    """Set the firm's payer profile for its 1099s (TIN stored encrypted)."""
    from rapport_core.tax.payer import set_payer
    from rapport_core.tax.schemas import PayerIn

    async def body():
        return await set_payer(await cli_actor(firm_slug), PayerIn(**fields))

    out = run(body)
    click.echo(f"Payer: {out.legal_name}, TIN {out.tin_masked}")


@tax_group.command("reminders")
@click.option("--year", type=int, default=None, help="Tax year (default: this year).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@firm_option
def tax_reminders(year: int | None, as_json: bool, firm_slug: str | None) -> None:
    """Partners without a W-9 whose payments approach or pass the reporting threshold."""
    from rapport_core.tax.nec import w9_reminders
    from rapport_core.tax.pdf import dollars

    year = year or dt.date.today().year

    async def body():
        return await w9_reminders(await cli_actor(firm_slug), year)

    rows = [
        {
            "partner_id": p.partner_id,
            "name": p.name,
            "paid": dollars(p.box1_cents),
            "owed": dollars(p.pending_cents),
            "threshold": dollars(p.threshold_cents),
            "status": p.status.value,
            "backup_withholding": "24% due: no TIN on file" if p.backup_withholding_due else "",
        }
        for p in run(body)
    ]
    emit(
        rows,
        as_json=as_json,
        columns=["partner_id", "name", "paid", "owed", "threshold", "status", "backup_withholding"],
    )
