"""The CRM sync's built-in plugin: ``rapport crm list|connect|sync|status|fake-server``."""

from __future__ import annotations

import importlib
import threading
import time
import webbrowser
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import click

from rapport_core.cli import console, emit, run
from rapport_core.commands import cli_actor, firm_option
from rapport_core.plugins import hookimpl


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli.add_command(crm_group)


@hookimpl
def register_background_tasks(register) -> None:
    from rapport_core.crm.scheduler import run_scheduler

    register(run_scheduler)


@click.group("crm")
def crm_group() -> None:
    """CRM connectors: read-only contact sync into partners (docs/connectors.md)."""


@crm_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@firm_option
def crm_list(as_json: bool, firm_slug: str | None) -> None:
    """Installed connectors, and whether this firm is connected to each."""
    from rapport_core.crm.connections import list_connections
    from rapport_core.crm.registry import installed_connectors

    async def body():
        actor = await cli_actor(firm_slug)
        connected = {c.connector: c for c in await list_connections(actor)}
        return [
            {
                "name": name,
                "label": cls.label,
                "regions": ", ".join(cls.regions),
                "status": connected[name].status if name in connected else "not connected",
                "fake_server": bool(cls.fake_server),
            }
            for name, cls in sorted(installed_connectors().items())
        ]

    emit(run(body), as_json=as_json, columns=["name", "label", "regions", "status"])


class _Callback(BaseHTTPRequestHandler):
    answer: dict[str, str] = {}

    def log_message(self, format, *args):  # quiet
        return None

    def do_GET(self) -> None:
        query = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
        type(self).answer.update(query)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.end_headers()
        self.wfile.write(b"Rapport received the authorization. You can close this tab.\n")


@crm_group.command("connect")
@click.argument("name")
@click.option("--region", help="The CRM's region (e.g. us, eu); default: the first.")
@click.option("--base-url", help="The CRM's base URL (a fake server, a sandbox).")
@click.option("--port", default=8765, show_default=True, help="Loopback port for the redirect.")
@click.option("--no-browser", is_flag=True, help="Print the URL only; do not open a browser.")
@click.option("--timeout", default=300, show_default=True, help="Seconds to wait for approval.")
@firm_option
def crm_connect(name, region, base_url, port, no_browser, timeout, firm_slug) -> None:
    """Connect NAME through OAuth: open the CRM's consent page, catch the redirect on
    127.0.0.1, store the tokens encrypted."""
    from rapport_core.crm.connections import complete_authorization, start_authorization
    from rapport_core.crm.registry import connector_class

    redirect_uri = f"http://127.0.0.1:{port}/callback"

    async def authorize():
        actor = await cli_actor(firm_slug)
        cls = connector_class(name)
        config = cls.config_from_environment(region=region, base_url=base_url)
        return await start_authorization(actor, name, redirect_uri=redirect_uri, config=config)

    url = run(authorize)
    handler = type("Callback", (_Callback,), {"answer": {}})
    server = HTTPServer(("127.0.0.1", port), handler)
    server.timeout = 1
    click.echo(f"Open this address to approve Rapport's read-only access:\n{url}", err=False)
    if not no_browser:
        webbrowser.open(url)

    def serve():
        deadline = time.monotonic() + timeout
        while not handler.answer and time.monotonic() < deadline:
            server.handle_request()

    waiter = threading.Thread(target=serve, daemon=True)
    waiter.start()
    waiter.join()
    server.server_close()
    answer = handler.answer
    if "code" not in answer:
        reason = answer.get("error_description") or answer.get("error") or "no answer in time"
        raise click.ClickException(f"{name} was not connected: {reason}")

    async def complete():
        actor = await cli_actor(firm_slug)
        return await complete_authorization(
            actor, name, state=answer.get("state", ""), code=answer["code"]
        )

    connection = run(complete)
    click.echo(
        f"Connected to {connection.label} ({connection.base_url}), token {connection.token_hint}"
    )


@crm_group.command("sync")
@click.argument("name")
@click.option("--full", is_flag=True, help="Fetch everything, not only changes since last time.")
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON.")
@firm_option
def crm_sync(name: str, full: bool, as_json: bool, firm_slug: str | None) -> None:
    """Sync NAME's contacts into partners (resumes an unfinished run)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from rapport_core.crm.sync import sync_connection

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        console=console,
        transient=as_json,
        disable=as_json,
    ) as bar:
        task = bar.add_task(f"{name} contacts", total=None, counts="")

        def progress(p) -> None:
            counts = (
                f"+{p.created} ~{p.updated} ={p.unchanged} skipped {p.skipped} failed {p.failed}"
            )
            bar.update(task, completed=p.seen, total=p.total, counts=counts)

        async def body():
            return await sync_connection(
                await cli_actor(firm_slug), name, full=full, trigger="cli", progress=progress
            )

        result = run(body)
    if as_json:
        emit([result], as_json=True, columns=[])
        return
    click.echo(
        f"{result.status}: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.skipped} skipped, {result.failed} failed "
        f"in {result.duration_ms / 1000:.1f} s ({result.pages} pages"
        + (", resumed" if result.resumed else "")
        + ")"
    )
    for problem in result.errors[:10]:
        click.echo(f"  {problem.external_id} {problem.field}: {problem.reason}")
    if result.message:
        click.echo(result.message)
    if result.status != "succeeded":
        raise SystemExit(1)


@crm_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@firm_option
def crm_status(as_json: bool, firm_slug: str | None) -> None:
    """This firm's connections: status, partners, last sync and its counts."""
    from rapport_core.crm.connections import list_connections
    from rapport_core.crm.sync import list_runs

    async def body():
        actor = await cli_actor(firm_slug)
        rows = []
        for connection in await list_connections(actor):
            runs = await list_runs(actor, connection.connector, limit=1)
            last = runs[0] if runs else None
            rows.append(
                {
                    **connection.model_dump(mode="json"),
                    "last_run": last.model_dump(mode="json") if last else None,
                    "last_counts": (
                        f"{last.status}: +{last.created} ~{last.updated} ={last.unchanged} "
                        f"skipped {last.skipped} failed {last.failed}"
                        if last
                        else ""
                    ),
                }
            )
        return rows

    emit(
        run(body),
        as_json=as_json,
        columns=["connector", "status", "partners", "last_sync_at", "last_counts", "last_error"],
    )


@crm_group.command("fake-server")
@click.argument("name")
@click.option("--contacts", default=200, show_default=True, help="Generated contacts.")
@click.option("--port", default=8990, show_default=True)
@click.option("--seed", default=7, show_default=True)
def crm_fake_server(name: str, contacts: int, port: int, seed: int) -> None:
    """Run NAME's fake CRM on 127.0.0.1 with generated contacts, to try connect and sync
    without an account. Stop it with Ctrl-C."""
    from rapport_core.crm.registry import connector_class

    async def find():
        return connector_class(name)

    cls = run(find, migrate=False)
    if not cls.fake_server:
        raise click.ClickException(f"the {name} connector ships no fake server")
    module, _, attr = cls.fake_server.partition(":")
    fake_class = getattr(importlib.import_module(module), attr)
    fake = fake_class(count=contacts, seed=seed, port=port)
    base_url = fake.start()
    prefix = cls.env_prefix()
    click.echo(f"Fake {cls.label} with {contacts} contacts on {base_url}")
    click.echo("Point Rapport at it (then `rapport serve`, or `rapport crm connect " + name + "`):")
    click.echo(f"  export {prefix}BASE_URL={base_url}")
    click.echo(f"  export {prefix}CLIENT_ID={fake.client_id}")
    click.echo(f"  export {prefix}CLIENT_SECRET={fake.client_secret}", nl=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()
