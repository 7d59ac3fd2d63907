"""Benchmark: the dashboard API, the partner list and partner health on a large firm.

    python -m bench.insights                       # SQLite, 10,000 partners, 200,000 referrals
    python -m bench.insights --database-url postgresql://postgres@127.0.0.1:5432/postgres

On PostgreSQL a database of its own (``rapport_bench``) is created and dropped, so the
server's other databases are never touched. Prints a table and a chart of p50/p95 against
the targets, and writes the figures as JSON to bench/results/ (see bench/README.md)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from urllib.parse import urlparse

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench.common import scratch_database, write_results

PG_DATABASE = "rapport_bench"
PASSWORD = "bench-password-1"

console = Console()


@dataclass
class Figure:
    name: str
    target_ms: float | None  # None: for context, no target
    runs: list[float]  # milliseconds

    @property
    def p50(self) -> float:
        return statistics.median(self.runs)

    @property
    def p95(self) -> float:
        ordered = sorted(self.runs)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank

    @property
    def passed(self) -> bool:
        return self.target_ms is None or self.p95 < self.target_ms


async def _timed(
    make: Callable[[], Awaitable], runs: int, *, own_clock: bool = False
) -> list[float]:
    """Milliseconds per run, after one run to warm caches and connections. With
    ``own_clock``, ``make`` times itself (leaving out its own preparation)."""
    await make()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        measured = await make()
        times.append(measured if own_clock else (time.perf_counter() - start) * 1000)
    return times


async def _setup(scale, progress) -> tuple[int, str, str]:
    """The firm and an owner who signs in; then every row, in bulk. Returns the firm id, the
    owner's email and an API token."""
    from rapport_core import db
    from rapport_core.actors import Actor
    from rapport_core.clock import now
    from rapport_core.schemas import FirmCreate, UserCreate
    from rapport_core.services import firms
    from rapport_core.tables import Partner, Referral
    from rapport_core.vocabulary import Role

    from bench.dataset import generate, row_count, write_postgres, write_sqlite

    await db.migrate()
    slug = f"bench-{int(time.time())}"
    firm = await firms.create_firm(
        FirmCreate(name="Bench & Co", slug=slug, professions=["attorney"], jurisdictions=["FL"])
    )
    email = f"owner@{slug}.example"
    setup = Actor(firm_id=firm.id, label="bench", role=Role.owner)
    owner = await firms.create_user(
        setup, UserCreate(email=email, name="Owner", role="owner", password=PASSWORD)
    )
    token, _ = await firms.create_token(setup, owner.id, "bench")
    first = {
        "partner": (
            await Partner.select(Partner.id).order_by(Partner.id, ascending=False).first()
            or {"id": 0}
        )["id"]
        + 1,
        "referral": (
            await Referral.select(Referral.id).order_by(Referral.id, ascending=False).first()
            or {"id": 0}
        )["id"]
        + 1,
    }
    making = progress.add_task("generating referrals", total=scale.referrals)
    data = generate(scale, firm.id, first, now(), lambda n: progress.advance(making, n))
    progress.update(making, completed=scale.referrals)
    writing = progress.add_task("writing rows", total=row_count(data))
    url = os.environ["RAPPORT_DATABASE_URL"]
    if url.startswith("sqlite"):
        write_sqlite(urlparse(url).path[1:], data, lambda n: progress.advance(writing, n))
    else:
        await write_postgres(url, data, lambda n: progress.advance(writing, n))
    return firm.id, email, token


async def measure(scale, runs: int, health_runs: int) -> list[Figure]:
    from litestar.testing import AsyncTestClient
    from rapport_server.app import create_app

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        _, email, token = await _setup(scale, progress)

    async with AsyncTestClient(app=create_app()) as client:
        login = await client.get("/login")
        assert "csrftoken" in client.cookies, (login.status_code, login.headers, login.text[:500])
        signed_in = await client.post(
            "/login",
            data={"email": email, "password": PASSWORD, "_csrf_token": client.cookies["csrftoken"]},
        )
        assert signed_in.status_code in (200, 302, 303), signed_in.text

        api = {"Authorization": f"Bearer {token}"}

        async def get(path: str) -> None:
            response = await client.get(path, headers=api if path.startswith("/api/") else None)
            assert response.status_code == 200, f"{path}: {response.status_code}"

        async def dashboard_api() -> None:
            await get("/api/v1/briefing")
            await get("/api/v1/metrics")

        async def touchpoint() -> None:
            """Someone logs a call: touchpoints have changed."""
            response = await client.post(
                "/api/v1/activities",
                json={
                    "partner_id": partner_id,
                    "kind": "call",
                    "occurred_on": f"{dt.date.today()}",
                },
                headers=api,
            )
            assert response.status_code == 201, response.text

        async def stage_change() -> None:
            """Someone acknowledges a received referral: referrals have changed. The firm's
            waiting referrals first; when they run out (a small firm), a new one."""
            if not waiting:
                made = await client.post(
                    "/api/v1/referrals",
                    json={"direction": "received", "partner_id": partner_id, "client_name": "New"},
                    headers=api,
                )
                assert made.status_code == 201, made.text
                waiting.append(made.json()["id"])
            response = await client.post(
                f"/api/v1/referrals/{waiting.pop()}/stage",
                json={"stage": "acknowledged"},
                headers=api,
            )
            assert response.status_code == 200, response.text

        def after(change, make):
            async def run() -> float:
                await change()
                start = time.perf_counter()
                await make()
                return (time.perf_counter() - start) * 1000

            return run

        partner_id = (await client.get("/api/v1/partners?per_page=1", headers=api)).json()["items"][
            0
        ]["id"]
        listed = await client.get(
            "/api/v1/referrals?direction=received&stage=submitted&per_page=200", headers=api
        )
        waiting = [referral["id"] for referral in listed.json()["items"]]

        def changed(change, make):
            return _timed(after(change, make), runs, own_clock=True)

        briefing, metrics = lambda: get("/api/v1/briefing"), lambda: get("/api/v1/metrics")
        with console.status("measuring…"):
            figures = [
                Figure(
                    "dashboard API, after a logged call",
                    300,
                    await changed(touchpoint, dashboard_api),
                ),
                Figure(
                    "dashboard API, after a stage change",
                    300,
                    await changed(stage_change, dashboard_api),
                ),
                Figure(
                    "  briefing, after a stage change", None, await changed(stage_change, briefing)
                ),
                Figure(
                    "  metrics, after a stage change", None, await changed(stage_change, metrics)
                ),
                Figure("  dashboard API, nothing changed", None, await _timed(dashboard_api, runs)),
                Figure("dashboard page", 1000, await _timed(lambda: get("/"), runs)),
                Figure("partner list page", 100, await _timed(lambda: get("/partners"), runs)),
                Figure(
                    "partner list API", 100, await _timed(lambda: get("/api/v1/partners"), runs)
                ),
                Figure(
                    "health of every partner",
                    5000,
                    await _timed(lambda: get("/api/v1/partners/health"), health_runs),
                ),
            ]
    return figures


def report(figures: list[Figure], label: str) -> None:
    table = Table(title=f"Rapport insights benchmark · {label}")
    for heading in ("figure", "p50 ms", "p95 ms", "max ms", "target p95", ""):
        table.add_column(heading, justify="left" if heading in ("figure", "") else "right")
    for f in figures:
        target = "" if f.target_ms is None else f"< {f.target_ms:,.0f}"
        verdict = "" if f.target_ms is None else "[green]ok[/]" if f.passed else "[red]over[/]"
        table.add_row(
            f.name, f"{f.p50:,.0f}", f"{f.p95:,.0f}", f"{max(f.runs):,.0f}", target, verdict
        )
    console.print(table)
    # The chart: each p95 as a share of its target; the bar crosses │ when it is over.
    console.print("p95 as a share of its target (│ = target)")
    width = 30
    for f in figures:
        if f.target_ms is None:
            continue
        share = f.p95 / f.target_ms
        filled = min(round(share * width / 2), width)
        bar = "█" * filled + " " * (width - filled)
        bar = bar[: width // 2] + "│" + bar[width // 2 :]
        colour = "green" if f.passed else "red"
        console.print(f"{f.name.strip()[:28]:<28} [{colour}]{bar}[/] {share:>5.0%}")


@click.command()
@click.option(
    "--database-url", default="", help="PostgreSQL server URL (default: a new SQLite file)."
)
@click.option("--partners", default=10_000, show_default=True)
@click.option("--referrals", default=200_000, show_default=True)
@click.option("--runs", default=20, show_default=True, help="Timed runs per request.")
@click.option("--health-runs", default=5, show_default=True)
@click.option("--keep", is_flag=True, help="Keep the PostgreSQL database afterwards.")
def main(database_url, partners, referrals, runs, health_runs, keep) -> None:
    """Generate a large firm and time the dashboard API, partner list and partner health."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    from bench.dataset import Scale

    scale = Scale(partners=partners, referrals=referrals)
    with scratch_database(PG_DATABASE, database_url, keep=keep, plugins="server") as scratch:
        figures = asyncio.run(measure(scale, runs, health_runs))
    label = f"{scratch.database}, {partners:,} partners, {referrals:,} referrals"
    report(figures, label)
    figures_json = [asdict(f) | {"p50": f.p50, "p95": f.p95} for f in figures]
    console.print(f"figures written to {write_results('insights', scratch, label, figures_json)}")
    sys.exit(0 if all(f.passed for f in figures) else 1)


if __name__ == "__main__":
    main()
