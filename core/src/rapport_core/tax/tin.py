"""Taxpayer identification numbers: validation, encryption at rest and masking.

SSNs are never issued with area 000, 666 or 900–999, group 00 or serial 0000 (SSA). EINs
start with a two-digit campus prefix; prefixes the IRS has not issued are refused
(``UNISSUED_EIN_PREFIXES``, from the IRS list of valid prefixes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapport_core import secrets
from rapport_core.errors import Invalid

#: EIN prefixes absent from the IRS list of valid prefixes ("How EINs are assigned and valid
#: EIN prefixes"). 96 and 97 are left accepted: we could not confirm their status.
UNISSUED_EIN_PREFIXES = frozenset(
    {"00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78", "79", "89"}
)
TIN_TYPES = ("ssn", "ein")


@dataclass(frozen=True)
class Tin:
    kind: str  # "ssn" or "ein"
    digits: str  # nine digits

    @property
    def last4(self) -> str:
        return self.digits[-4:]

    @property
    def masked(self) -> str:
        return mask(self.kind, self.last4)

    @property
    def formatted(self) -> str:
        d = self.digits
        return f"{d[:3]}-{d[3:5]}-{d[5:]}" if self.kind == "ssn" else f"{d[:2]}-{d[2:]}"

    def encrypted(self) -> str:
        return secrets.encrypt(self.digits)


def mask(kind: str, last4: str) -> str:
    """``***-**-1234`` for an SSN, ``**-***1234`` for an EIN: the last four digits only."""
    if not last4:
        return "none on file"
    return f"***-**-{last4}" if kind == "ssn" else f"**-***{last4}"


def parse_tin(kind: str, text: str, *, field: str = "tin") -> Tin:
    """A TIN typed with or without dashes and spaces, checked for an impossible number."""
    if kind not in TIN_TYPES:
        raise Invalid("choose SSN or EIN", field="tin_type")
    digits = re.sub(r"[\s-]", "", text or "")
    if not re.fullmatch(r"\d{9}", digits):
        raise Invalid(f"an {kind.upper()} has nine digits (e.g. {_example(kind)})", field=field)
    if kind == "ssn":
        area, group, serial = digits[:3], digits[3:5], digits[5:]
        if area == "000" or area == "666" or area >= "900":
            raise Invalid(f"no SSN is issued with area number {area}", field=field)
        if group == "00":
            raise Invalid("no SSN is issued with group number 00", field=field)
        if serial == "0000":
            raise Invalid("no SSN is issued with serial number 0000", field=field)
    elif digits[:2] in UNISSUED_EIN_PREFIXES:
        raise Invalid(f"the IRS issues no EIN with prefix {digits[:2]}", field=field)
    return Tin(kind, digits)


def _example(kind: str) -> str:
    return "123-45-6789" if kind == "ssn" else "12-3456789"


def reveal(encrypted: str) -> str:
    """The full nine digits. Callers audit who saw them (``rapport_core.tax.w9.view_tin``)."""
    return secrets.decrypt(encrypted)
