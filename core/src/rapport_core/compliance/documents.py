"""Fact documents: the defaults cases are merged over, checking a document against the
vocabulary, and converting it to what the engine compares.

The engine compares JSON numbers as doubles, so values are made exact integers first:
dates become day numbers (days since 1970-01-01), money becomes integer cents (a value with
more than two decimal places is an error, never rounded), shares become integer billionths
(more than nine decimal places is an error). Integers below 2**53 compare exactly as doubles.
``times`` arithmetic in a rule is the one place a fraction can reach the engine.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from rapport_core.compliance.vocabulary import (
    FactSpec,
    lookup,
    unknown_path_message,
    vocabulary,
)

EPOCH = dt.date(1970, 1, 1)
SHARE_SCALE = Decimal(10) ** 9
STATE = re.compile(r"^US(-[A-Z]{2})?$")
#: A key every posted document carries, so rules never match the engine's own state messages.
MARKER = "rapport_doc"

#: The example of facts.md: every case is merged over it.
DEFAULTS: dict[str, Any] = {
    "as_of": dt.date(2026, 11, 22),
    "firm": {"profession": "attorney", "jurisdiction": "US-CA", "registration": None},
    "partner": {
        "profession": "attorney",
        "jurisdiction": "US-CA",
        "same_firm": False,
        "licence": {
            "status": "active",
            "jurisdiction": "US-CA",
            "expires_on": dt.date(2027, 6, 30),
        },
        "registration": None,
        "w9_on_file": True,
    },
    "referral": {
        "direction": "sent",
        "date": dt.date(2026, 3, 2),
        "matter_type": "personal injury",
        "client_is_attest_client": False,
        "settlement_service": False,
        "federally_related_loan": False,
    },
    "fee": {
        "kind": "division",
        "payer": "partner",
        "amount": Decimal("3000.00"),
        "referring_share": Decimal("0.33"),
        "basis": "none",
        "total_fee_reasonable": True,
        "contingent_fee": False,
        "court_approved": None,
        "conditioned_on": "none",
        "cash": True,
        "disclosed_to_client": True,
        "recipient_discussed_policy_terms": False,
        "transaction_based": False,
        "trailing_12m_to_partner": Decimal("3000.00"),
    },
    "agreement": {
        "fee_sharing": {"written": True, "signed_on": dt.date(2026, 3, 1), "expires_on": None},
        "client_consent": {
            "written": True,
            "obtained_on": dt.date(2026, 3, 1),
            "discloses_share": True,
            "discloses_division": True,
        },
        "solicitation": {"written": None, "disclosure_delivered": None},
        "reciprocal": None,
    },
    "payments": [{"date": dt.date(2026, 6, 10), "amount": Decimal("3000.00"), "to": "partner"}],
    "tax_year_paid_to_partner": Decimal("3000.00"),
}


class FactError(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path, self.message = path, message


def merged(overrides: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """``overrides`` deep-merged over ``base`` (the defaults): mappings merge, anything else
    (``null`` included) replaces."""
    out = copy.deepcopy(DEFAULTS if base is None else base)
    for key, value in (overrides or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(value, out[key])
        else:
            out[key] = copy.deepcopy(value)
    return out


def get(document: dict[str, Any], path: str) -> Any:
    value: Any = document
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


# --------------------------------------------------------------------------- values


def as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"expected a date YYYY-MM-DD, got {value!r}")


def as_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"expected a number, got {value!r}")
    try:
        number = Decimal(str(value).replace(",", "").lstrip("$"))
    except InvalidOperation:
        raise ValueError(f"expected a number, got {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"expected a number, got {value!r}")
    return number


def check_value(spec: FactSpec, value: Any) -> None:
    """Raise FactError unless ``value`` is a valid literal for ``spec``."""
    engine_value(spec, value)


def engine_value(spec: FactSpec, value: Any) -> Any:
    """``value`` as the engine compares it (see the module docstring)."""
    kind = spec.type
    try:
        if kind == "date":
            return (as_date(value) - EPOCH).days
        if kind == "money":
            cents = as_decimal(value) * 100
            if cents != cents.to_integral_value():
                raise ValueError(f"money has at most two decimal places, got {value!r}")
            return int(cents)
        if kind == "share":
            scaled = as_decimal(value) * SHARE_SCALE
            if scaled != scaled.to_integral_value():
                raise ValueError(f"a share has at most nine decimal places, got {value!r}")
            return int(scaled)
        if kind == "number":
            number = as_decimal(value)
            return int(number) if number == number.to_integral_value() else float(number)
        if kind == "boolean":
            if not isinstance(value, bool):
                raise ValueError(f"expected true or false, got {value!r}")
            return value
        if kind in ("string", "state"):
            if not isinstance(value, str):
                raise ValueError(f"expected text, got {value!r}")
            if kind == "state" and not STATE.match(value):
                raise ValueError(f"expected US or US-XX (e.g. US-CA), got {value!r}")
            if spec.values and value not in spec.values:
                raise ValueError(f"{value!r} is not one of {', '.join(spec.values)}")
            return value
    except ValueError as error:
        raise FactError(spec.path, str(error)) from None
    raise FactError(spec.path, f"a {kind} cannot be compared")


# --------------------------------------------------------------------------- documents


def check(document: dict[str, Any]) -> list[FactError]:
    """Every problem with ``document``: unknown paths (with the valid names) and bad values."""
    problems: list[FactError] = []
    _to_engine(document, "", problems)
    return problems


def to_engine(document: dict[str, Any]) -> dict[str, Any]:
    """The document as posted to the engine; raises the first FactError found."""
    problems: list[FactError] = []
    out = _to_engine(document, "", problems)
    if problems:
        raise problems[0]
    out[MARKER] = 1
    return out


def _to_engine(values: dict[str, Any], prefix: str, problems: list[FactError]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not isinstance(values, dict):
        problems.append(FactError(prefix.rstrip("."), "expected a mapping of facts"))
        return out
    for key, value in values.items():
        path = f"{prefix}{key}"
        spec = lookup(path)
        if spec is None:
            problems.append(FactError(path, unknown_path_message(path)))
            continue
        if value is None:
            continue  # absent, never guessed
        if spec.type == "object":
            # A marker field keeps an object that has no known values present to the engine.
            out[key] = {"present": 1, **_to_engine(value, f"{path}.", problems)}
        elif spec.type == "list":
            summary = _summarise(path, value, problems)
            if summary is not None:
                out[key] = summary
        else:
            try:
                out[key] = engine_value(spec, value)
            except FactError as error:
                problems.append(error)
    return out


def _summarise(path: str, items: Any, problems: list[FactError]) -> dict[str, Any] | None:
    """A list of payments as the summaries rules read (count, total, first and last date)."""
    if not isinstance(items, list):
        problems.append(FactError(path, "expected a list of {date, amount, to}"))
        return None
    try:
        dates = sorted(as_date(item["date"]) for item in items)
        total = sum((as_decimal(item["amount"]) for item in items), Decimal(0))
    except (KeyError, TypeError, ValueError) as error:
        problems.append(FactError(path, f"each payment needs a date and an amount ({error})"))
        return None
    summary = {
        "present": 1,
        "count": len(items),
        "total": engine_value(lookup(f"{path}.total"), total),
    }
    if dates:
        summary["first_date"] = (dates[0] - EPOCH).days
        summary["last_date"] = (dates[-1] - EPOCH).days
    return summary


# --------------------------------------------------------------------------- posting

#: A projection: fact name -> (its spec, the projection of its fields, whether a rule reads it).
Projection = dict[str, tuple[FactSpec, "Projection", bool]]


@cache
def _names() -> dict[str, tuple[FactSpec, dict]]:
    """The vocabulary as nested names: name -> (spec, the names of its fields)."""
    root: dict[str, tuple[FactSpec, dict]] = {}
    for path, spec in vocabulary().items():  # parents come before their fields
        *parents, name = path.split(".")
        level = root
        for part in parents:
            level = level[part][1]
        level[name] = (spec, {})
    return root


def check_names(document: dict[str, Any]) -> None:
    """Raise FactError at the first name that is not a fact (or an object that is not one)."""

    def walk(values: Any, names: dict, prefix: str) -> None:
        if not isinstance(values, dict):
            raise FactError(prefix.rstrip("."), "expected a mapping of facts")
        for key, value in values.items():
            entry = names.get(key)
            if entry is None:
                path = f"{prefix}{key}"
                raise FactError(path, unknown_path_message(path))
            if value is not None and entry[0].type == "object":
                walk(value, entry[1], f"{prefix}{key}.")

    walk(document, _names(), "")


def projection(read: Iterable[str]) -> Projection:
    """What :func:`project` posts for rules that read the fact paths ``read``."""
    out: dict = {}
    for path in read:
        *parents, leaf = path.split(".")
        names, level = _names(), out
        for part in parents:
            spec, fields = names[part]
            level = level.setdefault(part, [spec, {}, False])[1]
            names = fields
        level.setdefault(leaf, [names[leaf][0], {}, False])[2] = True
    return _frozen(out)


def _frozen(level: dict) -> Projection:
    return {key: (spec, _frozen(fields), read) for key, (spec, fields, read) in level.items()}


def project(document: dict[str, Any], facts: Projection) -> dict[str, Any]:
    """``document`` as posted to rules that read ``facts`` (see :func:`projection`): only
    those facts, converted (raising FactError on a bad one), and each object that holds
    one kept present. The same as :func:`to_engine` restricted to those facts; facts no
    rule reads are neither converted nor posted (the engine matches every field it gets)."""
    out = _project(document, facts)
    out[MARKER] = 1
    return out


def _project(values: dict[str, Any], facts: Projection) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, (spec, fields, read) in facts.items():
        value = values.get(key)
        if value is None:
            continue
        if spec.type == "object":
            inner = _project(value, fields)
        elif spec.type == "list":
            problems: list[FactError] = []
            summary = _summarise(spec.path, value, problems)
            if problems:
                raise problems[0]
            inner = {k: v for k, v in summary.items() if k in fields}
        else:
            out[key] = engine_value(spec, value)
            continue
        if inner or read:
            out[key] = {"present": 1, **inner}
    return out


def summaries(document: dict[str, Any]) -> dict[str, Any]:
    """Readable values for derived facts (payments.count …), for messages and matched facts."""
    items = document.get("payments")
    if not isinstance(items, list):
        return {}
    dates = sorted(as_date(item["date"]) for item in items if item.get("date") is not None)
    total = sum(
        (as_decimal(item["amount"]) for item in items if item.get("amount") is not None), Decimal(0)
    )
    return {
        "payments.count": len(items),
        "payments.total": total,
        "payments.first_date": dates[0] if dates else None,
        "payments.last_date": dates[-1] if dates else None,
    }


def read(document: dict[str, Any], path: str) -> Any:
    """The readable value of ``path`` (derived facts included), or None."""
    if path.startswith("payments."):
        return summaries(document).get(path)
    return get(document, path)


def cleaned(document: dict[str, Any], on_drop=None) -> dict[str, Any]:
    """``document`` without the values the vocabulary refuses (a record's value outside a
    closed list, say): such a fact is absent rather than a guess, and one bad record does
    not stop a firm's evaluation. ``on_drop(error)`` hears of each."""
    problems: list[FactError] = []
    _to_engine(document, "", problems)
    if not problems:
        return document
    out = copy.deepcopy(document)
    for problem in problems:
        if on_drop:
            on_drop(problem)
        *parents, leaf = problem.path.split(".")
        holder: Any = out
        for part in parents:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if isinstance(holder, dict):
            holder.pop(leaf, None)
    return out
