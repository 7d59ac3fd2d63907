"""The rule-pack format as pydantic models: they validate ``pack.yaml`` and rule files, and
generate the published JSON Schema (``rapport rulepack schema``). Conditions are checked in
detail by :mod:`rapport_core.compliance.conditions`; their schema is written out here."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

PACK_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"
RULE_ID = r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)+$"
JURISDICTION = r"^US(-[A-Z]{2})?$"

Severity = Literal["violation", "warning", "info"]
Subject = Literal["referral", "partner", "fee", "payment"]
Profession = Literal[
    "attorney",
    "cpa",
    "financial_advisor",
    "broker_dealer",
    "insurance_agent",
    "real_estate_agent",
    "mortgage_lender",
    "other",
]
FeeKind = Literal["division", "referral_fee", "solicitor_compensation", "commission", "flat_gift"]

_VALUE = {"type": ["string", "number", "boolean", "null"]}
_FACT_REF = {
    "type": "object",
    "required": ["fact"],
    "additionalProperties": False,
    "properties": {
        "fact": {"type": "string"},
        "plus_days": {"type": "integer"},
        "minus_days": {"type": "integer"},
        "plus": {"type": "number"},
        "minus": {"type": "number"},
        "times": {"type": "number"},
    },
}
_OPERAND = {"anyOf": [_VALUE, _FACT_REF]}
CONDITION_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {
            "type": "object",
            "required": ["all"],
            "additionalProperties": False,
            "properties": {
                "all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Condition"}}
            },
        },
        {
            "type": "object",
            "required": ["any"],
            "additionalProperties": False,
            "properties": {
                "any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Condition"}}
            },
        },
        {
            "type": "object",
            "required": ["not"],
            "additionalProperties": False,
            "properties": {"not": {"$ref": "#/$defs/Condition"}},
        },
        {
            "type": "object",
            "required": ["fact"],
            "additionalProperties": False,
            "minProperties": 2,
            "maxProperties": 2,
            "properties": {
                "fact": {"type": "string", "description": "dotted path into the fact document"},
                "absent": {"const": True},
                "present": {"const": True},
                **{op: _OPERAND for op in ("eq", "ne", "lt", "lte", "gt", "gte")},
                "in": {"type": "array", "items": _VALUE},
                "not_in": {"type": "array", "items": _VALUE},
            },
        },
    ]
}

# pydantic cannot point at a definition it did not make: mark the spot, then swap in a $ref.
_CONDITION_MARK = {"x-rapport": "condition"}
Condition = Annotated[dict[str, Any], WithJsonSchema(_CONDITION_MARK)]


def _swap_marks(value: Any) -> Any:
    if isinstance(value, dict) and value.get("x-rapport") == "condition":
        return {"$ref": "#/$defs/Condition"}
    if isinstance(value, dict):
        return {k: _swap_marks(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap_marks(v) for v in value]
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Person(_Strict):
    name: str
    email: str | None = None


class Source(_Strict):
    title: str
    url: str | None = None


class Disable(_Strict):
    rule: str = Field(pattern=RULE_ID)
    reason: str = Field(min_length=1)


class PackFile(_Strict):
    """``pack.yaml``."""

    id: str = Field(pattern=PACK_ID, description="unique everywhere: lowercase, digits, dashes")
    title: str = Field(min_length=1)
    jurisdiction: str = Field(pattern=JURISDICTION, description="US, or US-XX for a state")
    professions: list[Profession] = Field(min_length=1)
    version: str = Field(pattern=r"^\d+(\.\d+)*$", description="the pack's own version")
    effective_from: dt.date
    effective_until: dt.date | None = None
    maintainers: list[Person] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    extends: list[str] = Field(default_factory=list)
    disable: list[Disable] = Field(default_factory=list)
    description: str = ""


class Citation(_Strict):
    text: str = Field(min_length=1)
    url: str | None = None


class AppliesWhen(_Strict):
    firm_professions: list[Profession] | None = None
    partner_professions: list[Profession] | None = None
    jurisdictions: list[Annotated[str, Field(pattern=JURISDICTION)]] | None = None
    directions: list[Literal["sent", "received"]] | None = None
    fee_kinds: list[FeeKind] | None = None


class Case(_Strict):
    name: str = Field(min_length=1)
    facts: dict[str, Any] = Field(default_factory=dict)
    expect: Literal["fire", "none", "todo"]


class RuleFile(_Strict):
    """One file under ``rules/``: a rule and its example cases."""

    id: str = Field(pattern=RULE_ID, description="pack-unique, dotted")
    replaces: str | None = Field(default=None, pattern=RULE_ID)
    title: str = Field(min_length=1)
    severity: Severity
    subject: Subject
    citation: Citation
    applies_when: AppliesWhen = Field(default_factory=AppliesWhen)
    when: Condition
    message: str = Field(min_length=1)
    remediation: str = Field(min_length=1)
    cases: list[Case] = Field(min_length=1)


def json_schemas() -> dict[str, dict[str, Any]]:
    """The published JSON Schemas, one for ``pack.yaml`` and one for rule files."""
    out = {}
    for name, model in (("pack", PackFile), ("rule", RuleFile)):
        schema = _swap_marks(model.model_json_schema())
        schema["$defs"] = {**schema.get("$defs", {})}
        if name == "rule":
            schema["$defs"]["Condition"] = CONDITION_SCHEMA
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://rapport.example/schemas/rulepack-{name}.schema.json",
            **schema,
        }
        out[name] = schema
    return out


SCHEMA_DIR = Path(__file__).parent / "schema"


def published_schemas() -> dict[str, dict[str, Any]]:
    """The schemas shipped in the package (``schema/*.schema.json``); a test keeps them equal
    to :func:`json_schemas`."""
    return {
        name: json.loads((SCHEMA_DIR / f"rulepack-{name}.schema.json").read_text(encoding="utf-8"))
        for name in ("pack", "rule")
    }


def write_schemas() -> None:
    """Regenerate the shipped schema files (``python -m rapport_core.compliance.model``)."""
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, schema in json_schemas().items():
        (SCHEMA_DIR / f"rulepack-{name}.schema.json").write_text(
            json.dumps(schema, indent=2) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    write_schemas()
