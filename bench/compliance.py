"""Benchmark: the compliance engine.

    python -m bench.compliance                  # 100,000 fact documents, every registered pack
    python -m bench.compliance --documents 20000 --runs 100
    RAPPORT_RULEPACK_PATH=rulepacks python -m bench.compliance   # packs from a folder

Two figures against their targets (issue 5):

1. Bulk: evaluate N referral fact documents against every registered pack (the built-in
   packs once ``rapport-rulepacks`` is installed) in under 30 s for 100,000. The documents
   are generated (seeded) across the packs' jurisdictions, professions and fee kinds, with
   consents, agreements and licences present or missing, so rules fire and do not.
   Run once in this process, then over ``--workers`` processes (checked to find the same);
   a sample is also checked against the old compiler (an engine rule per alternative).
   It also prints the ratio of the one-process total to the time the engine alone spends on
   the same documents already converted: the overhead of Rapport's layers (checking and
   converting facts, routing, findings with their messages).
2. One referral after a change: the stored-findings path (build the fact document from the
   database, evaluate, store the diff) after its partner's licence changes, under 50 ms p95.
   It runs on a SQLite file of its own, or with ``--database-url`` in a database of its own
   on that PostgreSQL server, and prints the CPU time and the number of queries of each re-evaluation too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress

from bench.common import scratch_database

PG_DATABASE = "rapport_bench_compliance"

console = Console()
TEST_PACKS = Path(__file__).resolve().parent.parent / "tests" / "compliance" / "packs" / "good"
BULK_TARGET_S = 30.0
BULK_TARGET_DOCUMENTS = 100_000
SINGLE_TARGET_MS = 50.0

PROFESSIONS = [
    "attorney",
    "attorney",
    "attorney",
    "cpa",
    "financial_advisor",
    "insurance_agent",
    "real_estate_agent",
]
FEE_KINDS = ["division", "referral_fee", "solicitor_compensation", "commission", "flat_gift"]


def synthetic_document(rng: random.Random, states: list[str]) -> dict:
    """One plausible referral fact document (facts.md's shape), varied at random."""
    as_of = dt.date(2026, 11, 22)
    referral_date = as_of - dt.timedelta(days=rng.randint(0, 700))
    state = rng.choice(states)
    fee = None
    if rng.random() < 0.8:
        fee = {
            "kind": rng.choice(FEE_KINDS),
            "payer": rng.choice(["partner", "firm"]),
            "amount": f"{rng.randint(100, 50_000)}.{rng.randint(0, 99):02d}",
            "referring_share": rng.choice(["0.10", "0.25", "0.33", "0.5"]),
            "basis": rng.choice(["proportional", "joint_responsibility", "none"]),
            "total_fee_reasonable": rng.random() < 0.95,
            "contingent_fee": rng.random() < 0.3,
            "cash": rng.random() < 0.9,
            "disclosed_to_client": rng.random() < 0.8,
            "transaction_based": rng.random() < 0.2,
            "trailing_12m_to_partner": f"{rng.randint(0, 5000)}.00",
        }
    consent = (
        None
        if rng.random() < 0.25
        else {
            "written": rng.random() < 0.9,
            "obtained_on": (referral_date + dt.timedelta(days=rng.randint(-10, 10))).isoformat(),
            "discloses_share": rng.random() < 0.85,
            "discloses_division": rng.random() < 0.85,
        }
    )
    licence = (
        None
        if rng.random() < 0.1
        else {
            "status": rng.choice(["active"] * 9 + ["expired"]),
            "jurisdiction": state,
            "expires_on": (as_of + dt.timedelta(days=rng.randint(-60, 700))).isoformat(),
        }
    )
    return {
        "as_of": as_of,
        "firm": {"profession": rng.choice(PROFESSIONS), "jurisdiction": state},
        "partner": {
            "profession": rng.choice(PROFESSIONS),
            "jurisdiction": state,
            "same_firm": rng.random() < 0.05,
            "licence": licence,
            "w9_on_file": rng.random() < 0.8,
        },
        "referral": {"direction": rng.choice(["sent", "received"]), "date": referral_date},
        "fee": fee,
        "agreement": {
            "fee_sharing": None
            if rng.random() < 0.3
            else {
                "written": True,
                "signed_on": referral_date.isoformat(),
                "expires_on": (as_of + dt.timedelta(days=rng.randint(-30, 400))).isoformat(),
            },
            "client_consent": consent,
            "reciprocal": None
            if rng.random() < 0.8
            else {"exclusive": rng.random() < 0.3, "client_informed": rng.random() < 0.7},
        },
        "payments": [{"date": referral_date.isoformat(), "amount": "100.00", "to": "partner"}]
        if rng.random() < 0.5
        else [],
        "tax_year_paid_to_partner": f"{rng.randint(0, 3000)}.00",
    }


@dataclass
class Bulk:
    documents: int
    packs: int
    rules: int
    #: One process: wall and CPU seconds, and the engine's share of the same documents.
    total_s: float
    engine_only_s: float
    findings: int
    #: CPU time of this process for the bulk run: what it costs when it need not wait for
    #: a busy machine (wall time above includes waiting for a core).
    total_cpu_s: float = 0.0
    engine_only_cpu_s: float = 0.0
    #: The same documents over worker processes (starting them included), if more than one.
    workers: int = 1
    parallel_s: float = 0.0
    #: The workers' findings equal the single process's, document for document.
    parallel_identical: bool = True
    #: A sample's findings equal those of the old compiler (an engine rule per alternative).
    sample: int = 0
    sample_identical: bool = True

    @property
    def ratio(self) -> float:
        return self.total_s / self.engine_only_s if self.engine_only_s else math.inf

    @property
    def best_s(self) -> float:
        return min(self.total_s, self.parallel_s) if self.workers > 1 else self.total_s

    @property
    def scaled_total_s(self) -> float:
        """The best wall time scaled to 100,000 documents (the target's size)."""
        return self.best_s * BULK_TARGET_DOCUMENTS / self.documents


def measure_bulk(
    count: int, *, seed: int = 5, progress: bool = False, workers: int = 1, sample: int = 2000
) -> Bulk:
    from rapport_core.compliance.catalog import load_catalog
    from rapport_core.compliance.engine import BATCH
    from rapport_core.compliance.evaluation import compile_packs, evaluate_parallel

    catalog = load_catalog()
    if not catalog.packs:
        catalog = load_catalog([TEST_PACKS])
    packs = catalog.all()
    states = sorted(
        {p.meta.jurisdiction for p in packs if p.meta.jurisdiction != "US"} | {"US-WY", "US-OR"}
    )
    rng = random.Random(seed)
    docs = [synthetic_document(rng, states) for _ in range(count)]
    compiled = compile_packs(packs)
    for state in states:  # compile outside the timings, as a running server has
        compiled.ruleset_for(state)
    results = []
    step = 10 * BATCH  # documents per call: every ruleset still gets full batches
    with Progress(console=console, transient=True, disable=not progress) as bar:
        task = bar.add_task("evaluating", total=count)
        started, cpu_started = time.perf_counter(), time.process_time()
        for start in range(0, count, step):
            results.extend(compiled.evaluate_many(docs[start : start + step]))
            bar.update(task, completed=min(count, start + step))
        total, total_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    # The engine alone on the same documents, converted beforehand.
    posted = [compiled.posted(doc) for doc in docs]
    compiled.engine_seconds, cpu_started = 0.0, time.process_time()
    compiled.fire_many(posted)
    engine_cpu = time.process_time() - cpu_started
    bulk = Bulk(
        count,
        len(packs),
        len(compiled.rules),
        total,
        compiled.engine_seconds,
        sum(map(len, results)),
        total_cpu,
        engine_only_cpu_s=engine_cpu,
        workers=workers,
    )
    if workers > 1:
        started = time.perf_counter()
        parallel = evaluate_parallel(packs, docs, workers=workers)
        bulk.parallel_s = time.perf_counter() - started
        bulk.parallel_identical = parallel == results
    split = compile_packs(packs, split=True)
    bulk.sample = min(sample, count)
    bulk.sample_identical = split.evaluate_many(docs[: bulk.sample]) == results[: bulk.sample]
    return bulk


@dataclass
class Single:
    """Re-evaluating one referral (and its partner) after its licence changed, per run."""

    ms: list[float]
    cpu_ms: list[float]
    queries: list[int]


async def measure_single(runs: int = 50, referrals: int = 40) -> Single:
    """Re-evaluate one referral (and its partner) after its licence changed, ``runs`` times,
    in the current database: wall and CPU milliseconds and the queries made, per run."""
    import uuid

    from rapport_core.actors import Actor
    from rapport_core.compliance import service
    from rapport_core.compliance.catalog import default_catalog
    from rapport_core.compliance.tables import ComplianceSettings
    from rapport_core.schemas import FirmCreate, LicenceCreate, PartnerCreate, ReferralCreate
    from rapport_core.services import firms, partners
    from rapport_core.services import referrals as referral_service
    from rapport_core.tables import Licence
    from rapport_core.vocabulary import Role

    firm = await firms.create_firm(
        FirmCreate(
            name="Compliance Bench",
            slug=f"cb-{uuid.uuid4().hex[:10]}",
            professions=["attorney"],
            jurisdictions=["CA"],
        )
    )
    actor = Actor(firm_id=firm.id, label="demo", role=Role.owner)  # bulk: no per-change tasks
    catalog = default_catalog()
    await service.pack_states(actor)  # creates the settings row
    await ComplianceSettings.update(
        {ComplianceSettings.enabled: [p.id for p in catalog.all()]}
    ).where(ComplianceSettings.firm == firm.id)
    partner = await partners.create_partner(
        actor, PartnerCreate(name="Dana Ortiz", profession="attorney", state="CA")
    )
    licence = await partners.add_licence(
        actor,
        partner.id,
        LicenceCreate(kind="bar admission", jurisdiction="CA", expires_on=dt.date(2030, 1, 1)),
    )
    ids = []
    for number in range(referrals):
        created = await referral_service.create_referral(
            actor,
            ReferralCreate(direction="sent", client_name=f"Client {number}", partner_id=partner.id),
        )
        ids.append(created.id)
    await service.evaluate(actor)
    database = Licence._meta.db  # Piccolo numbers every query it runs: the count per run
    out = Single([], [], [])
    for run in range(runs):
        expires = dt.date(2030, 1, 1) if run % 2 else dt.date(2020, 1, 1)  # lapses, then renewed
        await Licence.update({Licence.expires_on: expires}).where(Licence.id == licence.id)
        queries, cpu, started = database.query_id, time.process_time(), time.perf_counter()
        await service.evaluate(actor, referral_ids=[ids[run % len(ids)]], partner_ids=[partner.id])
        out.ms.append((time.perf_counter() - started) * 1000)
        out.cpu_ms.append((time.process_time() - cpu) * 1000)
        out.queries.append(database.query_id - queries)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def report(bulk: Bulk, measured: Single) -> bool:
    from rich.table import Table

    table = Table("figure", "value", "target", "ok")
    bulk_ok = bulk.scaled_total_s < BULK_TARGET_S
    table.add_row(
        f"{bulk.documents:,} documents × {bulk.packs} packs ({bulk.rules} rules), one process",
        f"{bulk.total_s:.2f} s",
        "",
        "",
    )
    if bulk.workers > 1:
        same = "same findings" if bulk.parallel_identical else "DIFFERENT findings"
        table.add_row(
            f"  {bulk.workers} worker processes (starting them included; {same})",
            f"{bulk.parallel_s:.2f} s",
            "",
            "",
        )
    table.add_row(
        "  best, scaled to 100,000 documents",
        f"{bulk.scaled_total_s:.1f} s",
        f"< {BULK_TARGET_S:.0f} s",
        "yes" if bulk_ok else "NO",
    )
    table.add_row(
        "  per document, one process", f"{bulk.total_s / bulk.documents * 1e6:.0f} µs", "", ""
    )
    cpu_100k = bulk.total_cpu_s * BULK_TARGET_DOCUMENTS / bulk.documents
    table.add_row("  CPU time, one process, scaled to 100,000", f"{cpu_100k:.1f} s", "", "")
    table.add_row("  engine alone, same documents", f"{bulk.engine_only_s:.2f} s", "", "")
    table.add_row("  total ÷ engine alone (one process)", f"{bulk.ratio:.2f}×", "", "")
    if bulk.engine_only_cpu_s:
        cpu_ratio = bulk.total_cpu_s / bulk.engine_only_cpu_s
        table.add_row(
            "  the same in CPU time",
            f"{bulk.total_cpu_s:.2f} s ÷ {bulk.engine_only_cpu_s:.2f} s = {cpu_ratio:.2f}×",
            "",
            "",
        )
    table.add_row("  findings", f"{bulk.findings:,}", "", "")
    table.add_row(
        f"  first {bulk.sample:,} as the old compiler finds them (a rule per alternative)",
        "same" if bulk.sample_identical else "DIFFERENT",
        "same",
        "yes" if bulk.sample_identical else "NO",
    )
    single = measured.ms
    single_ok = p95(single) < SINGLE_TARGET_MS
    table.add_row(
        f"one referral after a change (p50 of {len(single)})",
        f"{statistics.median(single):.1f} ms",
        "",
        "",
    )
    table.add_row(
        "  p95",
        f"{p95(single):.1f} ms",
        f"< {SINGLE_TARGET_MS:.0f} ms",
        "yes" if single_ok else "NO",
    )
    cpu = measured.cpu_ms
    table.add_row(
        "  CPU time p50 / p95", f"{statistics.median(cpu):.1f} / {p95(cpu):.1f} ms", "", ""
    )
    table.add_row(
        "  queries per re-evaluation", f"{statistics.median(measured.queries):.0f}", "", ""
    )
    console.print(table)
    # The chart: where the bulk time goes, and each figure against its target.
    width = 40
    rows = [
        ("bulk, one process", bulk.total_s, bulk.total_s),
        ("engine alone", bulk.engine_only_s, bulk.total_s),
        ("Rapport's layers", bulk.total_s - bulk.engine_only_s, bulk.total_s),
    ]
    if bulk.workers > 1:
        rows.append((f"{bulk.workers} workers", bulk.parallel_s, bulk.total_s))
    console.print("\nwhere the bulk time goes (seconds)")
    for label, value, scale in rows:
        bar = "█" * max(1, min(width, round(width * value / scale)))
        console.print(f"  {label:<18} {bar:<{width}} {value:7.2f}")
    console.print("\nagainst the targets (share of the target; │ is the target)")
    for label, value, target in (
        ("100k documents", bulk.scaled_total_s, BULK_TARGET_S),
        ("one referral p95", p95(single), SINGLE_TARGET_MS),
    ):
        filled = min(width * 2, round(width * value / target))
        bar = ("█" * filled).ljust(width * 2)
        bar = bar[:width] + "│" + bar[width:]
        console.print(f"  {label:<18} {bar} {100 * value / target:5.0f}%")
    identical = bulk.parallel_identical and bulk.sample_identical
    return bulk_ok and single_ok and identical


@click.command()
@click.option(
    "--documents",
    "count",
    default=BULK_TARGET_DOCUMENTS,
    show_default=True,
    help="Fact documents in the bulk run.",
)
@click.option(
    "--runs", default=100, show_default=True, help="Timed re-evaluations of one referral."
)
@click.option(
    "--workers",
    default=os.cpu_count() or 1,
    show_default=True,
    help="Worker processes for the bulk run's second pass (1: one process only).",
)
@click.option(
    "--database-url",
    default=None,
    help="PostgreSQL server for the one-referral figure, which gets a database of its own "
    "there (default: a SQLite file).",
)
def main(count: int, runs: int, database_url: str | None, workers: int) -> None:
    with scratch_database(PG_DATABASE, database_url):
        ok = _measure(count, runs, workers)
    sys.exit(0 if ok else 1)


def _measure(count: int, runs: int, workers: int) -> bool:
    from rapport_core.compliance.catalog import load_catalog

    if not load_catalog().packs:
        os.environ["RAPPORT_RULEPACK_PATH"] = str(TEST_PACKS)
        console.print(f"no rule packs registered: using the test packs in {TEST_PACKS}")
    bulk = measure_bulk(count, progress=True, workers=workers)

    async def single() -> Single:
        from rapport_core import db

        await db.migrate()
        return await measure_single(runs=runs)

    return report(bulk, asyncio.run(single()))


if __name__ == "__main__":
    main()
