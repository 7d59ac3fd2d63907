"""Benchmark: a year's 1099-NEC PDFs for 1,000 payees and a FIRE file for 10,000 payees.

    python -m bench.tax                          # SQLite, 1,000 PDFs, 10,000 FIRE payees
    python -m bench.tax --pdf-payees 50          # a quick look
    python -m bench.tax --database-url postgresql://postgres@127.0.0.1:5432/postgres

Each figure goes through the service a person's click runs: ``generate_year`` (figures from
the payouts, W-9 TINs decrypted, five copies per payee drawn by WeasyPrint in worker
processes, stored encrypted with their SHA-256, audited) and ``fire_file`` (stored filings
and W-9s read back, TINs decrypted, records written from the Publication 1220 layout), then
``validate`` on the file.
Prints a table and a chart of milliseconds per payee; writes bench/results/tax-<db>.json."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import asdict, dataclass

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench.common import scratch_database, write_results

PG_DATABASE = "rapport_bench_tax"
YEAR = 2026
console = Console()


@dataclass
class Figure:
    name: str
    payees: int
    seconds: float

    @property
    def ms_per_payee(self) -> float:
        return 1000 * self.seconds / max(self.payees, 1)


def _ssn(i: int) -> str:
    """A valid-looking SSN per payee (areas 100-599, never group 00 or serial 0000)."""
    return f"{100 + i % 500:03d}45{1000 + i % 8999:04d}"


async def _firm(name: str, payees: int, progress: Progress, *, filings: bool):
    """A firm whose ``payees`` partners each have a W-9 and one paid payout in YEAR; with
    ``filings``, their 1099-NEC rows too (with a stand-in PDF: the FIRE figure reads them)."""
    from rapport_core import db, secrets
    from rapport_core.actors import Actor
    from rapport_core.clock import now
    from rapport_core.money.tables import Payout
    from rapport_core.schemas import FirmCreate
    from rapport_core.services import firms
    from rapport_core.tables import Partner
    from rapport_core.tax.payer import set_payer
    from rapport_core.tax.schemas import PayerIn
    from rapport_core.tax.tables import W9, Filing
    from rapport_core.vocabulary import Role

    await db.migrate()
    slug = f"bench-tax-{time.time_ns()}"
    firm = await firms.create_firm(FirmCreate(name=name, slug=slug, jurisdictions=["FL"]))
    actor = Actor(firm_id=firm.id, label="bench", role=Role.owner)
    await set_payer(
        actor,
        PayerIn(
            legal_name=name, tin="12-3456789", address="1 Main St", city="Tampa", state="FL",
            postal_code="33602", phone="813-555-0100", transmitter_control_code="5B123",
        ),
    )  # fmt: skip
    stamp = now()
    task = progress.add_task(f"{name}: payees", total=payees)
    for start in range(0, payees, 500):
        batch = range(start, min(start + 500, payees))
        rows = await Partner.insert(
            *[
                Partner(
                    firm=firm.id, name=f"Payee {i:05d}", profession="cpa", specialties=[],
                    tags=[], address=f"{i} Oak Ave", city="Tampa", state="FL",
                    postal_code="33602", created_at=stamp, updated_at=stamp,
                )
                for i in batch
            ]
        ).returning(Partner.id)  # fmt: skip
        ids = [r["id"] for r in rows]
        w9s = await W9.insert(
            *[
                W9(
                    firm=firm.id, partner=pid, name=f"Payee {i:05d}", classification="individual",
                    address=f"{i} Oak Ave", city="Tampa", state="FL", postal_code="33602",
                    tin_type="ssn", tin_encrypted=secrets.encrypt(_ssn(i)), tin_last4=_ssn(i)[-4:], signature_name="Payee", certified_at=stamp,
                    received_by="bench", received_at=stamp,
                )
                for pid, i in zip(ids, batch, strict=True)
            ]
        ).returning(W9.id)  # fmt: skip
        await Payout.insert(
            *[
                Payout(
                    firm=firm.id, partner=pid, amount_cents=250000 + i, status="paid",
                    accrued_on=dt.date(YEAR, 3, 1), paid_on=dt.date(YEAR, 3, 15),
                    created_by="bench", created_at=stamp,
                )
                for pid, i in zip(ids, batch, strict=True)
            ]
        )  # fmt: skip
        if filings:
            pdf = secrets.encrypt("")
            await Filing.insert(
                *[
                    Filing(
                        firm=firm.id, partner=pid, tax_year=YEAR, w9=w["id"],
                        payee_name=f"Payee {i:05d}", payee_tin_last4=_ssn(i)[-4:],
                        box1_cents=250000 + i, box4_cents=0, threshold_cents=200000, pdf=pdf,
                        pdf_sha256="0" * 64, account=f"P{pid}", generated_by="bench",
                        generated_at=stamp, retain_until=stamp.replace(year=stamp.year + 7),
                    )
                    for pid, w, i in zip(ids, w9s, batch, strict=True)
                ]
            )  # fmt: skip
        progress.advance(task, len(ids))
    return actor


async def measure(pdf_payees: int, fire_payees: int) -> list[Figure]:
    from rapport_core.tax import filings
    from rapport_core.tax.fire import validate

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    figures = []
    with Progress(*columns, console=console) as progress:
        actor = await _firm("Bench PDFs LLP", pdf_payees, progress, filings=False)
        drawing = progress.add_task("1099-NEC PDFs", total=pdf_payees)
        started = time.perf_counter()
        await filings.generate_year(
            actor, YEAR, progress=lambda done, total: progress.update(drawing, completed=done)
        )
        figures.append(
            Figure("1099-NEC PDFs (generate_year)", pdf_payees, time.perf_counter() - started)
        )
        started = time.perf_counter()
        await filings.year_summary_pdf(actor, YEAR)
        figures.append(Figure("1096-style summary PDF", pdf_payees, time.perf_counter() - started))

        actor = await _firm("Bench FIRE LLP", fire_payees, progress, filings=True)
        started = time.perf_counter()
        text = await filings.fire_file(actor, YEAR)
        figures.append(Figure("FIRE file (fire_file)", fire_payees, time.perf_counter() - started))
        started = time.perf_counter()
        bad = validate(text)
        figures.append(Figure("FIRE validation", fire_payees, time.perf_counter() - started))
    if bad is not None:
        raise SystemExit(f"the benchmark's FIRE file is invalid: {bad}")
    return figures


def report(figures: list[Figure], label: str) -> None:
    table = Table(title=f"Tax benchmark ({label})")
    for column in ("figure", "payees", "seconds", "ms per payee"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    for f in figures:
        table.add_row(f.name, f"{f.payees:,}", f"{f.seconds:,.2f}", f"{f.ms_per_payee:,.2f}")
    console.print(table)
    top = max(f.ms_per_payee for f in figures) or 1
    console.print("milliseconds per payee")
    for f in figures:
        bar = "█" * max(1, round(40 * f.ms_per_payee / top))
        console.print(f"{f.name[:30]:<30} {bar} {f.ms_per_payee:,.2f}")


@click.command()
@click.option("--database-url", default="", help="PostgreSQL server URL (default: SQLite).")
@click.option("--pdf-payees", default=1_000, show_default=True)
@click.option("--fire-payees", default=10_000, show_default=True)
def main(database_url: str, pdf_payees: int, fire_payees: int) -> None:
    """Time a year's 1099-NEC PDFs and a FIRE file."""
    with scratch_database(PG_DATABASE, database_url) as scratch:
        figures = asyncio.run(measure(pdf_payees, fire_payees))
    report(figures, scratch.database)
    figures_json = [asdict(f) | {"ms_per_payee": f.ms_per_payee} for f in figures]
    out = write_results("tax", scratch, scratch.database, figures_json)
    console.print(f"figures written to {out}")


if __name__ == "__main__":
    main()
