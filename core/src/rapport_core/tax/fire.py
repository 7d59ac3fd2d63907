"""FIRE files (Publication 1220): one transmission of a firm's 1099-NECs for a tax year,
written and read with the layouts in :mod:`fire_layout`.

Records are 750 bytes of uppercase ASCII each, followed by CR LF (the FIRE system accepts
files with or without line separators; we read both). Order: T, A, B…, C, K (one per state,
only for a Combined Federal/State filer), F.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapport_core.errors import Invalid
from rapport_core.tax.fire_layout import (
    CFSF_CODES,
    LAYOUTS,
    NEC_AMOUNT_CODES,
    RECORD_LENGTH,
    TYPE_OF_RETURN_NEC,
    Field,
)

SEPARATOR = "\r\n"
_AMOUNT_KEYS = "123456789ABCDEFGHJ"


def ascii_upper(text: str) -> str:
    """Accents dropped, uppercase, only the characters the publication allows."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9 &,.'/#\-@_]", "", plain.upper())


def digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def name_control(name: str, *, individual: bool) -> str:
    """Four characters for the IRS to match the TIN: an individual's surname, else the
    start of the entity's name (letters, digits, hyphen and ampersand only)."""
    words = ascii_upper(name).replace(".", "").split()
    if not words:
        return ""
    source = words[-1] if individual else "".join(words)
    return re.sub(r"[^A-Z0-9&\-]", "", source)[:4]


def format_field(f: Field, value: str | int | None) -> str:
    if f.kind == "B":
        return " " * f.length
    if f.kind == "K":
        return f.value
    if f.kind == "N":
        text = str(value or 0)
        if not text.isdigit() or len(text) > f.length:
            raise Invalid(f"{f.name} {text!r} does not fit {f.length} digits", field=f.name)
        return text.rjust(f.length, "0")
    text = ascii_upper(str(value or ""))
    return text[: f.length].ljust(f.length)


def build_record(kind: str, values: dict[str, str | int | None]) -> str:
    record = "".join(format_field(f, values.get(f.name)) for f in LAYOUTS[kind])
    assert len(record) == RECORD_LENGTH
    return record


@dataclass(frozen=True)
class Payee:
    tin: str  # nine digits, or "" when applied for
    tin_type: str  # "ssn", "ein" or ""
    name: str
    address: str
    city: str
    state: str
    postal_code: str
    account: str
    box1_cents: int
    box4_cents: int
    individual: bool = True  # the W-9 classification is individual / sole proprietor
    state_code: str = ""  # combined federal/state code, when reported to a CF/SF state
    state_withheld_cents: int = 0


@dataclass(frozen=True)
class Transmission:
    year: int
    payer: dict  # payer profile row: legal_name, address, city, state, postal_code, phone...
    payer_tin: str
    payees: list[Payee]
    test: bool = False
    combined_federal_state: bool = False


def _amounts(label: str, values: dict[str, int]) -> dict[str, int]:
    return {f"{label} {key}": values.get(key, 0) for key in _AMOUNT_KEYS}


def build_file(t: Transmission) -> str:
    """The transmission as text: T, A, B…, C, K…, F records with sequence numbers."""
    payer = t.payer
    records: list[str] = []

    def add(kind: str, values: dict) -> None:
        records.append(build_record(kind, {**values, "record sequence number": len(records) + 1}))

    add(
        "T",
        {
            "payment year": t.year,
            "transmitter TIN": t.payer_tin,
            "transmitter control code": payer["transmitter_control_code"],
            "test file indicator": "T" if t.test else "",
            "transmitter name": payer["legal_name"],
            "company name": payer["legal_name"],
            "company mailing address": payer["address"],
            "company city": payer["city"],
            "company state": payer["state"],
            "company ZIP code": digits(payer["postal_code"]),
            "total number of payees": len(t.payees),
            "contact name": payer["contact_name"] or payer["legal_name"],
            "contact telephone number": digits(payer["phone"]),
            "contact email address": payer["contact_email"],
            "vendor indicator": "I",  # software written in-house by the filer's own staff
        },
    )
    add(
        "A",
        {
            "payment year": t.year,
            "combined federal/state filer": "1" if t.combined_federal_state else "",
            "payer TIN": t.payer_tin,
            "payer name control": name_control(payer["legal_name"], individual=False),
            "type of return": TYPE_OF_RETURN_NEC,
            "amount codes": "".join(NEC_AMOUNT_CODES),
            "first payer name line": payer["legal_name"],
            "transfer agent indicator": "0",
            "payer shipping address": payer["address"],
            "payer city": payer["city"],
            "payer state": payer["state"],
            "payer ZIP code": digits(payer["postal_code"]),
            "payer telephone number": digits(payer["phone"]),
        },
    )
    totals = {"1": 0, "4": 0}
    by_state: dict[str, list[Payee]] = {}
    for p in t.payees:
        totals["1"] += p.box1_cents
        totals["4"] += p.box4_cents
        if t.combined_federal_state and p.state_code:
            by_state.setdefault(p.state_code, []).append(p)
        add(
            "B",
            {
                "payment year": t.year,
                "name control": name_control(p.name, individual=p.individual) if p.tin else "",
                "type of TIN": {"ein": "1", "ssn": "2"}.get(p.tin_type, ""),
                "payee TIN": p.tin,
                "payer's account number for payee": p.account,
                **_amounts("payment amount", {"1": p.box1_cents, "4": p.box4_cents}),
                "first payee name line": p.name,
                "payee mailing address": p.address,
                "payee city": p.city,
                "payee state": p.state,
                "payee ZIP code": digits(p.postal_code),
                "state income tax withheld": p.state_withheld_cents,
                "combined federal/state code": p.state_code if t.combined_federal_state else "",
            },
        )
    add("C", {"number of payees": len(t.payees), **_amounts("control total", totals)})
    for code, payees in sorted(by_state.items()):
        add(
            "K",
            {
                "number of payees": len(payees),
                **_amounts(
                    "control total",
                    {
                        "1": sum(p.box1_cents for p in payees),
                        "4": sum(p.box4_cents for p in payees),
                    },
                ),
                "state income tax withheld total": sum(p.state_withheld_cents for p in payees),
                "combined federal/state code": code,
            },
        )
    add("F", {"number of A records": 1, "zero": 0, "total number of payees": len(t.payees)})
    return SEPARATOR.join(records) + SEPARATOR


def cfsf_code(state: str) -> str:
    return CFSF_CODES.get(state.upper(), "")


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class BadField:
    record: int  # 1-based record number in the file
    record_type: str
    field: str
    positions: str
    value: str
    problem: str

    def __str__(self) -> str:
        return (
            f"record {self.record} ({self.record_type}), {self.field} "
            f"(positions {self.positions}): {self.problem}: {self.value!r}"
        )


_ALLOWED = re.compile(r"^[A-Z0-9 &,.'/#\-@_]*$")
_ORDER = {"T": "A", "A": "B", "B": "BC", "C": "KF", "K": "KF", "F": ""}


def _field_problem(f: Field, text: str) -> str | None:
    if f.kind == "B":
        return None if text.strip() == "" else "must be blank"
    if f.kind == "K":
        return None if text == f.value else f"must be {f.value!r}"
    if f.kind == "N":
        return None if text.isdigit() else "must be digits, right-justified and zero-filled"
    if not _ALLOWED.match(text):
        return "has characters outside uppercase letters, digits and & , . ' / # - @ _"
    if f.required and not text.strip():
        return "is required"
    if text != text.strip().ljust(f.length) and text.strip():
        return "must be left-justified"
    return None


def _records(text: str) -> list[str]:
    if "\n" in text or "\r" in text:
        return [line for line in re.split(r"\r?\n", text) if line != ""]
    return [text[i : i + RECORD_LENGTH] for i in range(0, len(text), RECORD_LENGTH)]


def validate(text: str) -> BadField | None:
    """The first bad field of a FIRE file, or None when every record checks out: lengths,
    field kinds, the record order, sequence numbers, counts and control totals."""
    records = _records(text)
    if not records:
        return BadField(0, "-", "file", "-", "", "is empty")
    expected_next = "T"
    payees = 0
    sums = {key: 0 for key in _AMOUNT_KEYS}
    for number, record in enumerate(records, start=1):
        kind = record[:1]
        if len(record) != RECORD_LENGTH:
            return BadField(number, kind, "record length", "1-750", str(len(record)),
                            f"must be {RECORD_LENGTH} characters")  # fmt: skip
        if kind not in LAYOUTS or kind not in expected_next:
            return BadField(number, kind, "record type", "1", kind,
                            f"expected one of {', '.join(expected_next) or 'end of file'}")  # fmt: skip
        fields = {f.name: f for f in LAYOUTS[kind]}
        for f in LAYOUTS[kind]:
            value = record[f.start - 1 : f.end]
            if problem := _field_problem(f, value):
                return BadField(number, kind, f.name, f.positions, value, problem)
        seq = fields["record sequence number"]
        if int(record[seq.start - 1 : seq.end]) != number:
            return BadField(number, kind, seq.name, seq.positions, record[seq.start - 1 : seq.end],
                            f"must be {number}")  # fmt: skip
        if problem := _semantic(kind, record, fields, payees, sums):
            name, message = problem
            f = fields[name]
            return BadField(number, kind, name, f.positions, record[f.start - 1 : f.end], message)
        if kind == "B":
            payees += 1
            for key in _AMOUNT_KEYS:
                f = fields[f"payment amount {key}"]
                sums[key] += int(record[f.start - 1 : f.end])
        expected_next = _ORDER[kind]
    if expected_next:
        last = records[-1][:1]
        return BadField(
            len(records), last, "record type", "1", last, "file must end with an F record"
        )
    return None


def _semantic(kind: str, record: str, fields: dict, payees: int, sums: dict) -> tuple | None:
    def value(name: str) -> str:
        f = fields[name]
        return record[f.start - 1 : f.end]

    if kind == "A":
        if value("type of return").strip() != TYPE_OF_RETURN_NEC:
            return "type of return", f"must be {TYPE_OF_RETURN_NEC} for 1099-NEC"
        codes = value("amount codes").strip()
        if not codes or any(c not in NEC_AMOUNT_CODES for c in codes):
            return "amount codes", "1099-NEC uses amount codes 1 and 4 only"
    if kind in ("T", "A", "B") and int(value("payment year")) < 2020:
        return "payment year", "1099-NEC exists from tax year 2020"
    if kind == "B":
        tin = value("payee TIN")
        if tin.strip() and not tin.isdigit():
            return "payee TIN", "must be nine digits, or blank when applied for"
        if value("type of TIN").strip() not in ("", "1", "2"):
            return "type of TIN", "must be 1 (EIN), 2 (SSN) or blank"
    if kind == "C":
        if int(value("number of payees")) != payees:
            return "number of payees", f"must equal the {payees} B records"
        for key in _AMOUNT_KEYS:
            if int(value(f"control total {key}")) != sums[key]:
                return f"control total {key}", f"must equal the B records' sum {sums[key]}"
    return None


def read_summary(records: Iterable[str]) -> dict[str, int]:
    """How many records of each type a file holds (for the CLI's report)."""
    counts: dict[str, int] = {}
    for record in records:
        counts[record[:1]] = counts.get(record[:1], 0) + 1
    return counts
