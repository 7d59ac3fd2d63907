"""The ``rapport`` command. Its subcommands come from plugins through ``register_commands``,
the built-in ones included (see :mod:`rapport_core.commands`)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import click
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table as RichTable

from rapport_core import __version__
from rapport_core.errors import RapportError

T = TypeVar("T")
console = Console()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rapport")
def cli() -> None:
    """Rapport: referral relationships for regulated professionals."""


class MoneyParam(click.ParamType):
    """A dollar amount such as 2500 or 2500.50, kept exact as a Decimal."""

    name = "amount"

    def convert(self, value, param, ctx):
        try:
            return value if isinstance(value, Decimal) else Decimal(str(value).replace(",", ""))
        except InvalidOperation:
            self.fail(f"{value!r} is not an amount such as 2500 or 2500.50", param, ctx)


def run(make: Callable[[], Awaitable[T]], *, migrate: bool = True) -> T:
    """Run an async command body against the database, migrated first; turn domain and
    validation errors into a one-line message and exit status 1."""
    from rapport_core import db

    async def body() -> T:
        if migrate:
            await db.migrate()
        return await make()

    try:
        return asyncio.run(body())
    except RapportError as error:
        where = f" ({error.field})" if error.field else ""
        raise click.ClickException(f"{error.detail}{where}") from error
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in error.errors()
        )
        raise click.ClickException(problems) from error


def emit(rows: Iterable[BaseModel | dict], *, as_json: bool, columns: list[str]) -> None:
    """Print rows as a JSON array of objects (``--json``) or as a table."""
    plain: list[dict[str, Any]] = [
        row.model_dump(mode="json") if isinstance(row, BaseModel) else row for row in rows
    ]
    if as_json:
        click.echo(json.dumps(plain, indent=2, default=str))
        return
    table = RichTable(*columns, show_lines=False)
    for row in plain:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    console.print(table)


def build_cli() -> click.Group:
    from rapport_core.plugins import get_plugin_manager

    get_plugin_manager().hook.register_commands(cli=cli)
    return cli


def main() -> None:
    try:
        build_cli()
    except Exception as error:  # a broken plugin must not hide which one it was
        click.echo(f"rapport: could not load plugins: {error}", err=True)
        sys.exit(2)
    cli()
