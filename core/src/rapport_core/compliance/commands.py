"""``rapport compliance …``: evaluate a fact document (no database), and the firm's findings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from rapport_core.actors import Actor
from rapport_core.cli import console, emit, run
from rapport_core.commands import cli_actor, firm_option


@click.group("compliance")
def compliance_group() -> None:
    """Evaluate compliance rule packs and review findings."""


def _print_findings(findings: list[dict], *, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(findings, indent=2, default=str))
        return
    if not findings:
        click.echo("no findings")
    colours = {"violation": "red", "warning": "yellow", "info": "blue"}
    for f in findings:  # plain lines, never wrapped
        subject = (
            f" {f['subject_type']} {f['subject_id']}" if f.get("subject_id") is not None else ""
        )
        status = f" [{f['status']}]" if f.get("status") else ""
        label = click.style(f["severity"].upper(), fg=colours[f["severity"]])
        click.echo(f"{label}{status} {f['rule_id']} ({f['pack_id']} {f['pack_version']}){subject}")
        click.echo(f"  {f['message']}")
        link = f" <{f['citation_url']}>" if f.get("citation_url") else ""
        click.echo(f"  citation: {f['citation']}{link}")
        click.echo(f"  remediation: {f['remediation']}")
        click.echo("  facts: " + ", ".join(f"{k}={v}" for k, v in f["facts"].items()))


@compliance_group.command("evaluate")
@click.argument(
    "facts_file", metavar="FACTS.yaml", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--pack", "pack_ids", multiple=True, help="Evaluate these packs only (repeatable).")
@click.option(
    "--defaults", is_flag=True, help="Merge the document over facts.md's example, as cases are."
)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def evaluate_command(
    facts_file: Path, pack_ids: tuple[str, ...], defaults: bool, as_json: bool
) -> None:
    """Evaluate one fact document, without a database, against the named packs or every
    registered pack for the document's firm profession. Exit 1 when a violation fires."""
    from rapport_core.compliance import documents, yamlsource
    from rapport_core.compliance.catalog import load_catalog
    from rapport_core.compliance.evaluation import evaluate

    try:
        located = yamlsource.load(facts_file)
    except yamlsource.YamlError as error:
        raise click.ClickException(str(error)) from error
    document = located.data or {}
    if not isinstance(document, dict):
        raise click.ClickException(
            f"{facts_file}:1: a fact document is a mapping (as_of, firm, partner, …)"
        )
    if defaults:
        document = documents.merged(document)
    problems = documents.check(document)
    if problems:
        lines = [
            f"{facts_file}:{located.line(tuple(p.path.split('.')))}: {p.path}: {p.message}"
            for p in problems
        ]
        raise click.ClickException("the fact document has problems:\n  " + "\n  ".join(lines))
    catalog = load_catalog()
    for pack in catalog.failed:
        click.echo(
            f"warning: pack {pack.id} did not load ({len(pack.problems)} problems; see `rapport rulepack list`)",
            err=True,
        )
    if pack_ids:
        unknown = [p for p in pack_ids if catalog.get(p) is None]
        if unknown:
            raise click.ClickException(
                f"unknown pack(s) {', '.join(unknown)}; loaded: {', '.join(p.id for p in catalog.all())}"
            )
        packs = [catalog.get(p) for p in pack_ids]
    else:
        profession = documents.get(document, "firm.profession")
        packs = [p for p in catalog.all() if profession in p.meta.professions]
    findings = [f.as_dict() for f in evaluate(document, packs)]
    _print_findings(findings, as_json=as_json)
    if any(f["severity"] == "violation" for f in findings):
        sys.exit(1)


@compliance_group.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--all", "show_all", is_flag=True, help="Waived and resolved findings too.")
@firm_option
def check_command(as_json: bool, show_all: bool, firm_slug: str | None) -> None:
    """Evaluate the firm afresh, then print its stored findings. Exit 1 on an open violation."""
    from rapport_core.compliance import service

    async def body():
        actor = await cli_actor(firm_slug)
        summary = await service.evaluate(actor)
        return summary, await service.list_findings(actor, status=None if show_all else "open")

    summary, findings = run(body)
    if not as_json:
        click.echo(
            f"evaluated {summary.documents} documents against {len(summary.packs)} packs: "
            f"{summary.opened} new, {summary.resolved} resolved, {summary.open} open",
            err=True,
        )
    _print_findings(findings, as_json=as_json)
    if any(f["severity"] == "violation" and f["status"] == "open" for f in findings):
        sys.exit(1)


@compliance_group.command("evaluate-all")
@click.option(
    "--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Evaluation date (default: today)."
)
@click.option("--json", "as_json", is_flag=True, help="Print each firm's summary as JSON.")
def evaluate_all_command(as_of, as_json: bool) -> None:
    """Evaluate every firm (the daily run for time-based rules), with a progress bar."""
    from rich.progress import Progress

    from rapport_core.compliance import service
    from rapport_core.services.firms import list_firms
    from rapport_core.vocabulary import Role

    async def body():
        firms = await list_firms()
        out = []
        with Progress(console=console, transient=True, disable=as_json) as progress:
            task = progress.add_task("evaluating firms", total=len(firms))
            for firm in firms:
                actor = Actor(firm_id=firm.id, label="cli", role=Role.owner)
                summary = await service.evaluate(actor, as_of=as_of.date() if as_of else None)
                out.append({"firm": firm.slug, **summary.as_dict()})
                progress.advance(task)
        return out

    rows = run(body)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        emit(rows, as_json=False, columns=["firm", "documents", "opened", "resolved", "open"])


@compliance_group.command("waive")
@click.argument("finding_id", type=int)
@click.option("--reason", required=True, help="Why the finding does not apply (audited).")
@click.option("--as", "email", required=True, help="The compliance user's email.")
def waive_command(finding_id: int, reason: str, email: str) -> None:
    """Waive an open finding as a compliance user, with a reason."""
    from rapport_core.compliance import service
    from rapport_core.tables import User
    from rapport_core.vocabulary import Role

    async def body():
        user = await User.select().where(User.email == email.lower()).first()
        if user is None:
            raise click.ClickException(f"no user {email}")
        actor = Actor(
            firm_id=user["firm"], label=user["email"], role=Role(user["role"]), user_id=user["id"]
        )
        return await service.waive(actor, finding_id, reason)

    row = run(body)
    click.echo(f"finding {row['id']} waived by {row['waived_by']}: {row['waive_reason']}")
