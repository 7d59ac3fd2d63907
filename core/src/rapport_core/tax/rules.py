"""The dated tax rules (thresholds, rates, retention) read from ``rules.yaml``."""

from __future__ import annotations

import datetime as dt
import os
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from rapport_core.errors import RapportError

DEFAULT_RULES = Path(__file__).with_name("rules.yaml")


@cache
def _rules(path: str) -> dict[str, list[dict[str, Any]]]:
    try:
        data = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as error:
        raise RapportError(f"{path}: cannot read the tax rules ({error})") from error
    for name, entries in data.items():
        if not isinstance(entries, list) or not all("from" in e for e in entries):
            raise RapportError(f"{path}: {name} must be a list of entries with `from`")
        data[name] = sorted(entries, key=lambda e: e["from"])
    return data


def rules() -> dict[str, list[dict[str, Any]]]:
    return _rules(os.environ.get("RAPPORT_TAX_RULES", str(DEFAULT_RULES)))


def in_force(name: str, year: int) -> dict[str, Any]:
    """The entry of rule ``name`` that applies to tax year ``year``."""
    entries = [e for e in rules()[name] if e["from"] <= year]
    if not entries:
        raise RapportError(f"no {name} rule applies to {year}", field="year")
    return entries[-1]


def nec_threshold_cents(year: int) -> int:
    """Box 1 at or above this is reportable on a 1099-NEC for ``year``."""
    return int(in_force("nec_threshold", year)["cents"])


def backup_withholding_percent(year: int) -> Decimal:
    return Decimal(str(in_force("backup_withholding_rate", year)["percent"]))


def backup_withholding_cents(amount_cents: int, paid_on: dt.date) -> int:
    """Backup withholding on a payment, to the cent, rounded half up."""
    rate = backup_withholding_percent(paid_on.year) / 100
    return int((Decimal(amount_cents) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def retention_years(year: int) -> int:
    return int(in_force("retention_years", year)["years"])


def w9_link_days(year: int) -> int:
    return int(in_force("w9_link_days", year)["days"])
