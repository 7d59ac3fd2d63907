"""``rapport rulepack …``: list, validate, test, explain and scaffold rule packs, and print
the JSON Schema. None of these touch the database."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from rapport_core.cli import emit


@click.group("rulepack")
def rulepack_group() -> None:
    """Author and check compliance rule packs (docs/rulepacks.md)."""


def _catalog_for(path: Path):
    from rapport_core.compliance.catalog import load_catalog

    catalog = load_catalog([path])
    root = path.resolve()

    def under(pack) -> bool:
        directory = pack.directory.resolve()
        return directory == root or root in directory.parents

    targets_ok = [p for p in catalog.all() if under(p)]
    targets_failed = [p for p in catalog.failed if under(p)]
    return catalog, targets_ok, targets_failed


def _report_failed(failed) -> None:
    for pack in failed:
        click.echo(f"FAILED {pack.id} ({pack.directory}): not loaded", err=True)
        for problem in pack.problems:
            click.echo(f"  {problem}", err=True)


@rulepack_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_command(as_json: bool) -> None:
    """Every registered pack (hook and RAPPORT_RULEPACK_PATH), and those that failed."""
    from rapport_core.compliance.catalog import load_catalog

    catalog = load_catalog()
    rows = [
        {
            "id": p.id,
            "version": p.meta.version,
            "jurisdiction": p.meta.jurisdiction,
            "professions": ", ".join(p.meta.professions)
            if not as_json
            else list(p.meta.professions),
            "rules": len(p.resolved),
            "extends": ", ".join(p.meta.extends) if not as_json else list(p.meta.extends),
            "status": "loaded",
            "directory": str(p.directory),
        }
        for p in catalog.all()
    ]
    rows += [
        {
            "id": p.id,
            "status": "failed",
            "directory": str(p.directory),
            "problems": [str(x) for x in p.problems],
        }
        for p in catalog.failed
    ]
    emit(
        rows,
        as_json=as_json,
        columns=["id", "version", "jurisdiction", "professions", "rules", "extends", "status"],
    )
    if not as_json:
        _report_failed(catalog.failed)


@rulepack_group.command("validate")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def validate_command(path: Path) -> None:
    """Check the pack(s) at PATH: schema, fact paths, types, ids, extends. Exit 1 on a problem."""
    _catalog, ok, failed = _catalog_for(path)
    if not ok and not failed:
        raise click.ClickException(f"no pack.yaml in {path} or below it")
    for pack in ok:
        click.echo(
            f"ok     {pack.id} {pack.meta.version}: {len(pack.rules)} rules ({len(pack.resolved)} in force)"
        )
    _report_failed(failed)
    if failed:
        sys.exit(1)


@rulepack_group.command("test")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print every case result as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="List passing cases too.")
def test_command(path: Path, as_json: bool, verbose: bool) -> None:
    """Run every example case of the pack(s) at PATH, strictly: a missing finding and an
    unexpected one both fail. `todo` cases are reported. Exit 1 on any failure."""
    from rapport_core.compliance.cases import run_pack

    _catalog, ok, failed = _catalog_for(path)
    if not ok and not failed:
        raise click.ClickException(f"no pack.yaml in {path} or below it")
    results = [result for pack in ok for result in run_pack(pack)]
    if as_json:
        click.echo(json.dumps([{**r.__dict__, "file": str(r.file)} for r in results], indent=2))
    else:
        # Plain lines (never wrapped), so editors and CI logs can jump to file:line.
        for result in results:
            where = f"({result.file}:{result.line})"
            if result.outcome == "failed":
                click.echo(
                    f"{click.style('FAIL', fg='red')} {result.pack_id} {result.label}  {where}"
                )
                click.echo(f"     {result.detail}")
            elif result.outcome == "todo":
                click.echo(
                    f"{click.style('TODO', fg='yellow')} {result.pack_id} {result.label}  {where}"
                )
            elif verbose:
                click.echo(f"{click.style('ok', fg='green')}   {result.pack_id} {result.label}")
    _report_failed(failed)
    counts = {
        kind: sum(r.outcome == kind for r in results) for kind in ("passed", "failed", "todo")
    }
    summary = f"{counts['passed']} passed, {counts['failed']} failed, {counts['todo']} todo in {len(ok)} packs"
    if failed:
        summary += f"; {len(failed)} packs did not load"
    click.echo(summary, err=as_json)
    if counts["failed"] or failed:
        sys.exit(1)


@rulepack_group.command("explain")
@click.argument("rule_id")
def explain_command(rule_id: str) -> None:
    """A rule in plain words: when it applies, when it fires, its citation and its cases."""
    from rapport_core.compliance.catalog import load_catalog
    from rapport_core.compliance.explain import explain

    catalog = load_catalog()
    text = explain(catalog, rule_id)
    if text is None:
        raise click.ClickException(
            f"no rule {rule_id!r} in the registered packs (see `rapport rulepack list`)"
        )
    click.echo(text)


@rulepack_group.command("schema")
@click.argument("kind", type=click.Choice(["pack", "rule"]), required=False)
def schema_command(kind: str | None) -> None:
    """Print the JSON Schema of pack.yaml and rule files (or only KIND's)."""
    from rapport_core.compliance.model import published_schemas

    schemas = published_schemas()
    click.echo(json.dumps(schemas[kind] if kind else schemas, indent=2))


@rulepack_group.command("new")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--id", "pack_id", help="Pack id (default: the folder's name).")
@click.option("--title", default=None, help="Pack title.")
@click.option("--jurisdiction", default="US", show_default=True, help="US or US-XX.")
@click.option(
    "--profession", default="attorney", show_default=True, help="Firm profession the pack is for."
)
@click.option("--extends", "extends", multiple=True, help="A pack this one inherits (repeatable).")
def new_command(directory: Path, pack_id, title, jurisdiction, profession, extends) -> None:
    """Scaffold a pack in DIRECTORY that passes `validate` and `test`, to edit from."""
    from rapport_core.compliance.scaffold import scaffold

    try:
        files = scaffold(
            directory,
            pack_id=pack_id,
            title=title,
            jurisdiction=jurisdiction,
            profession=profession,
            extends=list(extends),
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    for file in files:
        click.echo(f"created {file}")
    click.echo(f"next: rapport rulepack validate {directory} && rapport rulepack test {directory}")
