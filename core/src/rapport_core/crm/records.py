"""The contact record every connector produces, and the per-firm mapping overrides.

A connector turns each CRM record into a :class:`ContactRecord`; the sync engine turns that
into partner fields. Keeping the two steps apart means every connector gets matching,
idempotent upsert and field protection without writing any of it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rapport_core.vocabulary import Profession


class ContactRecord(BaseModel):
    """One CRM contact, in Rapport's terms. Values are as the CRM has them: the sync engine
    validates them (a bad email fails that record, not the sync)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    external_id: str = Field(min_length=1)
    kind: Literal["person", "company"] = "person"
    name: str = ""
    organisation: str = ""
    #: The CRM's words for what the contact does ("CPA", "Estate planning attorney"):
    #: matched against the firm's profession map.
    profession_hint: str = ""
    specialties: list[str] = []
    email: str | None = None
    phone: str | None = None
    address: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    updated_at: dt.datetime | None = None
    #: Deleted or archived in the CRM. Rapport never deletes a partner because a CRM did.
    deleted: bool = False


@dataclass
class RawPage:
    """One page as the CRM sent it, with the bookmark to resume *after* it.

    ``bookmark`` is stored in the same transaction as the page's partners, so a sync that
    stops anywhere resumes from the last committed page. ``total`` is the CRM's count of
    matching records when it reports one (progress bars use it).
    """

    records: list[dict[str, Any]]
    bookmark: dict[str, Any]
    total: int | None = None


#: Words in a CRM's title/category/type that name a profession (first match wins).
DEFAULT_PROFESSION_WORDS: dict[str, Profession] = {
    "attorney": Profession.attorney,
    "lawyer": Profession.attorney,
    "esq": Profession.attorney,
    "law": Profession.attorney,
    "cpa": Profession.cpa,
    "accountant": Profession.cpa,
    "tax": Profession.cpa,
    "financial advisor": Profession.financial_advisor,
    "wealth": Profession.financial_advisor,
    "planner": Profession.financial_advisor,
    "broker": Profession.broker_dealer,
    "insurance": Profession.insurance_agent,
    "realtor": Profession.real_estate_agent,
    "real estate": Profession.real_estate_agent,
    "mortgage": Profession.mortgage_lender,
    "lender": Profession.mortgage_lender,
}


@dataclass
class Mapping:
    """A firm's overrides of a connector's mapping (stored on the connection).

    ``fields`` maps a ContactRecord field to a dotted path in the CRM's raw record
    (``"custom_field_values.0.value"``), replacing the connector's own mapping of that field.
    ``profession_words`` extends (and wins over) :data:`DEFAULT_PROFESSION_WORDS`.
    """

    default_profession: Profession = Profession.other
    profession_words: dict[str, Profession] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, values: dict[str, Any] | None) -> Mapping:
        values = values or {}
        return cls(
            default_profession=Profession(values.get("default_profession", "other")),
            profession_words={
                word.lower(): Profession(p)
                for word, p in (values.get("profession_words") or {}).items()
            },
            fields=dict(values.get("fields") or {}),
        )

    @cached_property
    def _patterns(self) -> list[tuple[re.Pattern[str], Profession]]:
        return [
            (re.compile(rf"\b{re.escape(word)}\b"), profession)
            for words in (self.profession_words, DEFAULT_PROFESSION_WORDS)
            for word, profession in words.items()
        ]

    @cached_property
    def _known_hints(self) -> dict[str, Profession]:
        return {}  # CRMs repeat a handful of titles and categories across thousands of records

    def profession(self, hint: str) -> Profession:
        if not hint:
            return self.default_profession
        if (known := self._known_hints.get(hint)) is not None:
            return known
        text, found = hint.lower(), self.default_profession
        for pattern, profession in self._patterns:
            if pattern.search(text):
                found = profession
                break
        if len(self._known_hints) < 10_000:
            self._known_hints[hint] = found
        return found

    def apply(self, record: ContactRecord, raw: dict[str, Any]) -> ContactRecord:
        if not self.fields:
            return record
        overrides: dict[str, Any] = {}
        for target, path in self.fields.items():
            value = pluck(raw, path)
            if target == "specialties":
                value = [value] if isinstance(value, str) else list(value or [])
            overrides[target] = value if value is not None else ""
        return record.model_copy(update=overrides)


def pluck(raw: Any, path: str) -> Any:
    """``raw["a"]["b"][0]`` for ``"a.b.0"``; None where the path runs out."""
    value = raw
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value
