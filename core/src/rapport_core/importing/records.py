"""From a source row (a CSV row through its mapping, or a vCard) to a validated partner.

Every problem names the row, the file line, the partner field and the reason, so a person can
find it in the file and fix it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import ValidationError

from rapport_core.identity import email_key, name_key
from rapport_core.importing.layouts import IGNORE
from rapport_core.importing.reading import SourceRow
from rapport_core.schemas import PartnerCreate
from rapport_core.vocabulary import PROFESSION_LABELS, US_STATES, Profession, Registration

#: Fields filled by the first non-empty value; the rest collect every value.
SINGLE = ("name", "first_name", "middle_name", "last_name", "organisation", "title",
          "profession", "email", "phone", "address", "city", "state", "postal_code",
          "registration", "external_id")  # fmt: skip

STATE_NAMES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "district of columbia": "DC",
    "washington dc": "DC", "washington d c": "DC", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA",
    "kansas": "KS", "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD",
    "massachusetts": "MA", "michigan": "MI", "minnesota": "MN", "mississippi": "MS",
    "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY",
    "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC",
    "south dakota": "SD", "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT",
    "virginia": "VA", "washington": "WA", "west virginia": "WV", "wisconsin": "WI",
    "wyoming": "WY", "puerto rico": "PR", "virgin islands": "VI", "guam": "GU",
    "american samoa": "AS", "northern mariana islands": "MP",
}  # fmt: skip

#: Words people write for a profession, beyond its code and label.
PROFESSION_WORDS = {
    "lawyer": Profession.attorney, "attorney at law": Profession.attorney,
    "solicitor": Profession.attorney, "accountant": Profession.cpa,
    "certified public accountant": Profession.cpa, "financial planner": Profession.financial_advisor,
    "wealth advisor": Profession.financial_advisor, "wealth manager": Profession.financial_advisor,
    "financial adviser": Profession.financial_advisor, "ria": Profession.financial_advisor,
    "broker dealer": Profession.broker_dealer, "insurance": Profession.insurance_agent,
    "insurance broker": Profession.insurance_agent, "realtor": Profession.real_estate_agent,
    "real estate": Profession.real_estate_agent, "mortgage broker": Profession.mortgage_lender,
    "loan officer": Profession.mortgage_lender,
}  # fmt: skip


@dataclass
class Candidate:
    """A row's values by partner field, before validation."""

    row: int
    line: int
    values: dict[str, list[str]] = field(default_factory=dict)

    def add(self, target: str, value: str | None) -> None:
        value = (value or "").strip()
        if target and value:
            self.values.setdefault(target, []).append(value)

    def first(self, target: str) -> str:
        found = self.values.get(target)
        return found[0] if found else ""


@dataclass(frozen=True)
class Problem:
    row: int
    line: int
    field: str
    reason: str
    name: str = ""


@dataclass
class Parsed:
    """A row that validated: the partner to create and its keys for duplicate matching."""

    row: int
    line: int
    partner: PartnerCreate
    external_id: str  # the source's id, or a key derived from the name when it has none
    email_key: str
    name_key: str


def mapped_columns(headers: list[str], mapping: dict[str, str]) -> list[tuple[int, str]]:
    """(column position, field) of the columns that fill a field."""
    return [(i, mapping[h]) for i, h in enumerate(headers) if mapping.get(h, IGNORE) != IGNORE]


def candidate_from_row(source: SourceRow, columns: list[tuple[int, str]]) -> Candidate:
    values: dict[str, list[str]] = {}
    cells = source.cells
    count = len(cells)
    for position, target in columns:
        if target and position < count and (value := cells[position].strip()):
            values.setdefault(target, []).append(value)
    return Candidate(source.row, source.line, values)


def _split(values: list[str]) -> list[str]:
    """Lists as exports write them: ``a; b``, ``a, b`` or Google's ``a ::: b``."""
    items = []
    for value in values:
        items += [item.strip().lstrip("* ").strip() for item in re.split(r":::|;|,", value)]
    return [item for item in items if item and item.lower() != "mycontacts"]


def parse_state(value: str) -> str:
    folded = re.sub(r"[^a-z ]", " ", value.casefold())
    folded = " ".join(folded.split())
    if value.strip().upper() in US_STATES:
        return value.strip().upper()
    return STATE_NAMES.get(folded, value)  # not a state: the schema names the problem


def parse_profession(value: str, default: Profession) -> Profession | str:
    if not value:
        return default
    folded = " ".join(re.sub(r"[^a-z ]", " ", value.casefold()).split())
    for profession in Profession:
        if folded in (profession.value.replace("_", " "), PROFESSION_LABELS[profession].lower()):
            return profession
    return PROFESSION_WORDS.get(folded, value)


def parse_registration(value: str) -> Registration | str | None:
    """``sec_ria``, ``SEC RIA`` or its label; blank is none; anything else is returned for
    validation to report."""

    def fold(text: str) -> str:
        return re.sub(r"[\s-]+", "_", text.strip().lower())

    if not value.strip():
        return None
    for registration in Registration:
        if fold(value) in (registration.value, fold(registration.label)):
            return registration
    return value


def _full_name(candidate: Candidate) -> str:
    name = candidate.first("name")
    if name:
        return name
    parts = [candidate.first(p) for p in ("first_name", "middle_name", "last_name")]
    return " ".join(p for p in parts if p)


def _notes(candidate: Candidate) -> str:
    lines = []
    if candidate.first("title"):
        lines.append(f"Job title: {candidate.first('title')}")
    lines += candidate.values.get("notes", [])
    return "\n".join(lines)


def _problem_field(loc: tuple) -> str:
    return str(loc[0]) if loc else "row"


def build_partner(
    candidate: Candidate,
    *,
    default_profession: Profession,
    source: str,
    id_key: str,
) -> Parsed | list[Problem]:
    """The partner a row describes, or every problem that stops it."""
    name = _full_name(candidate)
    if not name:
        return [
            Problem(candidate.row, candidate.line, "name", "no name (full, first or last name)")
        ]
    email = candidate.first("email") or None
    external_id = candidate.first("external_id")
    fields = {
        "name": name,
        "organisation": candidate.first("organisation"),
        "profession": parse_profession(candidate.first("profession"), default_profession),
        "specialties": _split(candidate.values.get("specialties", [])),
        "email": email,
        "phone": candidate.first("phone") or None,
        "address": candidate.first("address").replace("\n", ", "),
        "city": candidate.first("city"),
        "state": parse_state(candidate.first("state")),
        "postal_code": candidate.first("postal_code"),
        "tags": _split(candidate.values.get("tags", [])),
        "notes": _notes(candidate),
        "registration": parse_registration(candidate.first("registration")),
        "source": source,
    }
    try:
        partner = PartnerCreate.model_validate(fields)
    except ValidationError as error:
        problems, seen = [], set()
        for detail in error.errors():
            where = _problem_field(detail["loc"])
            if where in seen:
                continue
            seen.add(where)
            shown = fields.get(where)
            value = f" ({shown!r})" if isinstance(shown, str) and shown else ""
            reason = detail["msg"].removeprefix("Value error, ")
            if where == "profession":
                reason = "not a profession Rapport knows; use one of " + ", ".join(
                    p.value for p in Profession
                )
            problems.append(Problem(candidate.row, candidate.line, where, reason + value, name))
        return problems
    keys_name = name_key(partner.name, partner.organisation)
    if not external_id and not partner.email:
        external_id = f"name:{keys_name}"  # lets a re-import find the partner it made
    if external_id:
        partner.external_ids = {id_key: external_id}
    return Parsed(
        row=candidate.row,
        line=candidate.line,
        partner=partner,
        external_id=external_id,
        email_key=email_key(partner.email),
        name_key=keys_name,
    )
