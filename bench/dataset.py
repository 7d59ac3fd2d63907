"""A large, realistic firm for the benchmarks, written straight through the database driver
(sqlite3's executemany, asyncpg's COPY): the services would take an hour for 200,000
referrals. Rows follow the tables' own column names, so the data stays in step with them."""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from piccolo.table import Table
from rapport_core.tables import Activity, Licence, Partner, Referral, ReferralStageChange
from rapport_core.vocabulary import CLOSED_STAGES, MILESTONES, NEXT_STAGES, Direction, Stage

PROFESSIONS = {
    "attorney": ["Estate planning", "Elder law", "Family law", "Business law", "Real estate law"],
    "cpa": ["Trust and estate tax", "Business valuation", "Individual tax"],
    "financial_advisor": ["Retirement income planning", "Wealth management", "Divorce planning"],
    "insurance_agent": ["Life insurance", "Long-term care", "Annuities"],
    "real_estate_agent": ["Residential", "Probate sales"],
    "mortgage_lender": ["Reverse mortgages", "Jumbo loans"],
    "other": ["Therapy", "Genealogy"],
}
CITIES = [
    ("Tampa", "FL", 27.95, -82.46),
    ("Orlando", "FL", 28.54, -81.38),
    ("Miami", "FL", 25.76, -80.19),
    ("Austin", "TX", 30.27, -97.74),
    ("Houston", "TX", 29.76, -95.37),
]
MATTERS = ["Estate plan", "Trust administration", "Probate", "Medicaid planning", "Tax planning"]
HISTORY_DAYS = 8 * 365  # eight years of a busy firm, growing a little each year
OPEN_WITHIN_DAYS = 45  # older referrals have reached an outcome


@dataclass
class Scale:
    partners: int = 10_000
    referrals: int = 200_000
    seed: int = 7


@dataclass
class Dataset:
    partners: list[dict] = field(default_factory=list)
    referrals: list[dict] = field(default_factory=list)
    stage_changes: list[dict] = field(default_factory=list)
    activities: list[dict] = field(default_factory=list)
    licences: list[dict] = field(default_factory=list)

    def tables(self) -> list[tuple[type[Table], list[dict]]]:
        return [
            (Partner, self.partners),
            (Referral, self.referrals),
            (ReferralStageChange, self.stage_changes),
            (Activity, self.activities),
            (Licence, self.licences),
        ]


def generate(
    scale: Scale, firm_id: int, first_ids: dict[str, int], now: dt.datetime, tick: Callable
) -> Dataset:
    """Rows for one firm: partners (a fifth of them gone quiet), referrals both ways over eight
    years with their stage histories and milestones, touchpoints and licences. ``tick(n)``
    reports progress in referrals."""
    rng = random.Random(scale.seed)
    data = Dataset()
    partner_ids = list(range(first_ids["partner"], first_ids["partner"] + scale.partners))
    quiet = set(rng.sample(partner_ids, scale.partners // 5))
    for pid in partner_ids:
        profession = rng.choice(list(PROFESSIONS))
        city, state, lat, lon = rng.choice(CITIES)
        data.partners.append(
            {
                "id": pid,
                "firm": firm_id,
                "name": f"Partner {pid:05d}",
                "organisation": f"Firm {pid % 997}",
                "profession": profession,
                "specialties": rng.sample(PROFESSIONS[profession], 1),
                "email": f"partner{pid}@bench.example",
                "phone": None,
                "address": "",
                "city": city,
                "state": state,
                "postal_code": "",
                "latitude": lat + rng.uniform(-0.2, 0.2),
                "longitude": lon + rng.uniform(-0.2, 0.2),
                "tags": [],
                "source": "bench",
                "external_ids": {},
                "notes": "",
                "ideal_client": "",
                "review_cadence_days": rng.choice([None, None, None, 30, 90]),
                "owner": None,
                "specialty_index": "",
                "created_at": now - dt.timedelta(days=HISTORY_DAYS + 30),
                "updated_at": now - dt.timedelta(days=HISTORY_DAYS + 30),
            }
        )
    # A few busy partners send most referrals (a long tail, as in life).
    cumulative, total = [], 0.0
    for rank in range(scale.partners):
        total += 1 / (rank + 10)
        cumulative.append(total)
    picks = rng.choices(partner_ids, cum_weights=cumulative, k=scale.referrals)
    referral_id = first_ids["referral"]
    for n, pid in enumerate(picks):
        age = HISTORY_DAYS * rng.random() ** 1.15
        if pid in quiet:
            age = max(age, 120 + rng.random() * 300)
        referred_at = now - dt.timedelta(days=age)
        direction = Direction.received if rng.random() < 0.55 else Direction.sent
        _referral(data, rng, referral_id, firm_id, pid, direction, referred_at, now)
        referral_id += 1
        if n % 5000 == 4999:
            tick(5000)
    for pid in partner_ids:
        for _ in range(rng.choice([0, 1, 2, 3, 5])):
            days = rng.randint(0 if pid not in quiet else 120, HISTORY_DAYS)
            data.activities.append(
                {
                    "firm": firm_id,
                    "partner": pid,
                    "kind": rng.choice(["meeting", "call", "email", "event"]),
                    "occurred_on": (now - dt.timedelta(days=days)).date(),
                    "summary": "",
                    "created_by": "bench",
                    "created_at": now,
                }
            )
        if rng.random() < 0.8:
            data.licences.append(
                {
                    "firm": firm_id,
                    "partner": pid,
                    "kind": "Professional licence",
                    "jurisdiction": "FL",
                    "number": str(pid),
                    "status": rng.choice(["active"] * 9 + ["lapsed"]),
                    "expires_on": (now + dt.timedelta(days=rng.randint(-60, 900))).date(),
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return data


def _path(rng: random.Random, direction: Direction) -> list[Stage]:
    """Stages after the first, along NEXT_STAGES, ending in an outcome."""
    stage = Stage.submitted if direction is Direction.received else Stage.introduced
    path = []
    while NEXT_STAGES[direction][stage]:
        choices = NEXT_STAGES[direction][stage]
        # Mostly forward; sometimes declined or lost on the way.
        stage = choices[0] if rng.random() < 0.85 else rng.choice(choices[1:])
        path.append(stage)
    return path


def _referral(data, rng, referral_id, firm_id, pid, direction, referred_at, now) -> None:
    first = Stage.submitted if direction is Direction.received else Stage.introduced
    steps, at = [], referred_at
    for stage in _path(rng, direction):
        at += dt.timedelta(hours=rng.uniform(2, 24 * 6))
        steps.append((stage, at))
    if (now - referred_at).days < OPEN_WITHIN_DAYS:
        steps = steps[: rng.randrange(len(steps) + 1)]  # recent ones may still be open
    steps = [(stage, at) for stage, at in steps if at <= now]
    stage = steps[-1][0] if steps else first
    estimate = rng.choice([None, 250_000, 500_000, 1_200_000, 3_000_000])
    row = {
        "id": referral_id,
        "firm": firm_id,
        "direction": direction.value,
        "partner": pid,
        "client_name": f"Client {referral_id}",
        "client_email": f"client{referral_id}@bench.example",
        "client_phone": None,
        "client_company": "",
        "matter_type": rng.choice(MATTERS),
        "description": "",
        "estimated_value_cents": estimate,
        "actual_value_cents": rng.choice([estimate, 800_000, 2_000_000])
        if stage is Stage.engaged
        else None,
        "currency": "USD",
        "stage": stage.value,
        "jurisdiction": "FL",
        "owner": None,
        "assigned_by": "manual",
        "referred_at": referred_at,
        "version": 1 + len(steps),
        "created_at": referred_at,
        "updated_at": steps[-1][1] if steps else referred_at,
        "outcome_reason": "bad_fit" if stage is Stage.declined else None,
        "outcome_note": "",
        "duplicate_of": None,
        "duplicate_override_reason": None,
        "client_email_key": f"client{referral_id}@bench.example",
        "client_phone_key": "",
        "client_name_key": f"client {referral_id}|",
        "acknowledged_at": None,
        "first_contact_at": None,
        "closed_at": None,
        "last_partner_update_at": None,
        "paid_at": None,
    }
    previous = None
    for stage_now, at in [(first, referred_at), *steps]:
        milestone = MILESTONES.get(stage_now)
        if milestone:
            row[milestone] = at
        if stage_now in CLOSED_STAGES:
            row["closed_at"] = at
        data.stage_changes.append(
            {
                "firm": firm_id,
                "referral": referral_id,
                "from_stage": previous,
                "to_stage": stage_now.value,
                "changed_at": at,
                "actor": "bench",
                "note": "",
                "reason": "bad_fit" if stage_now is Stage.declined else None,
            }
        )
        previous = stage_now.value
    data.referrals.append(row)


# ------------------------------------------------------------------------ writing


def _columns(table: type[Table], row: dict) -> list[str]:
    return [table._meta.get_column_by_name(name)._meta.db_column_name for name in row]


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return str(value)  # as Piccolo stores it: 2026-01-31 09:00:00+00:00
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return value


def _batches(rows: list[dict], size: int = 5000) -> Iterator[list[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def write_sqlite(path: str, data: Dataset, tick: Callable) -> None:
    with sqlite3.connect(path) as connection:
        for table, rows in data.tables():
            if not rows:
                continue
            columns = _columns(table, rows[0])
            sql = (
                f"INSERT INTO {table._meta.tablename} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            for batch in _batches(rows):
                connection.executemany(
                    sql, [[_sqlite_value(v) for v in row.values()] for row in batch]
                )
                tick(len(batch))
        connection.execute("ANALYZE")  # the planner statistics a database in use would have


async def write_postgres(url: str, data: Dataset, tick: Callable) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        for table, rows in data.tables():
            if not rows:
                continue
            columns = _columns(table, rows[0])
            for batch in _batches(rows):
                records = [
                    [json.dumps(v) if isinstance(v, dict) else v for v in row.values()]
                    for row in batch
                ]
                await connection.copy_records_to_table(
                    table._meta.tablename, records=records, columns=columns
                )
                tick(len(batch))
            if "id" in rows[0]:  # ids were given: move the sequence past them
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table._meta.tablename}', 'id'), "
                    f"(SELECT max(id) FROM {table._meta.tablename}))"
                )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


def row_count(data: Dataset) -> int:
    return sum(len(rows) for _, rows in data.tables())
