"""How values read on a page: money, dates, times and vocabulary labels.

Every page gets these as template functions (see :func:`rapport_server.ui.rendering.page`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rapport_core.vocabulary import (
    NEXT_STAGES,
    US_STATES,
    ActivityKind,
    Direction,
    Profession,
    Registration,
    Stage,
)

NOTHING = "—"
OUTCOMES = {Stage.engaged: "won", Stage.declined: "closed", Stage.lost: "closed"}


def money(amount: Decimal | None) -> str:
    """``Decimal("1234.5")`` → ``$1,234.50``."""
    return NOTHING if amount is None else f"${amount:,.2f}"


def when(moment: dt.datetime | None) -> str:
    """A timestamp in UTC, e.g. ``Nov 22, 2026, 3:04 PM UTC``."""
    if moment is None:
        return NOTHING
    # Stored times are aware; a naive one can only be UTC.
    utc = moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return f"{utc:%b} {utc.day}, {utc:%Y}, {utc.hour % 12 or 12}:{utc:%M %p} UTC"


def day(date: dt.date | dt.datetime | None) -> str:
    """``Nov 22, 2026``."""
    return NOTHING if date is None else f"{date:%b} {date.day}, {date:%Y}"


def iso_time(moment: dt.datetime) -> str:
    """For ``<time datetime="…">``, so assistive tech and scripts get the exact value."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def profession(value: str | Profession) -> str:
    return Profession(value).label


def registration(value: str | Registration | None) -> str:
    return NOTHING if value is None else Registration(value).label


def yes_no(value: bool | None) -> str:
    """A recorded yes/no fact; ``None`` was never recorded."""
    return "Not recorded" if value is None else ("Yes" if value else "No")


def stage(value: str | Stage) -> str:
    return str(value).capitalize()


def stage_tone(value: str | Stage) -> str:
    """A CSS modifier: ``won``, ``closed`` or ``open``."""
    return OUTCOMES.get(Stage(value), "open")


def open_stages() -> list[Stage]:
    """Stages a referral can still move on from, in either direction."""
    return [s for s in Stage if any(flow.get(s) for flow in NEXT_STAGES.values())]


#: (value, label) options for the selects and radio buttons of forms and filters.
CHOICES = {
    "professions": [(p.value, p.label) for p in Profession],
    "states": [(code, code) for code in US_STATES],
    "directions": [(d.value, d.value.capitalize()) for d in Direction],
    "stages": [(s.value, stage(s)) for s in Stage],
    "activity_kinds": [(k.value, k.value.capitalize()) for k in ActivityKind],
    "registrations": [(r.value, r.label) for r in Registration],
    "yes_no": [("true", "Yes"), ("false", "No")],
}

TEMPLATE_FUNCTIONS = {
    "choices": CHOICES,
    "money": money,
    "when": when,
    "day": day,
    "iso_time": iso_time,
    "profession_label": profession,
    "registration_label": registration,
    "yes_no_label": yes_no,
    "stage_label": stage,
    "stage_tone": stage_tone,
}
