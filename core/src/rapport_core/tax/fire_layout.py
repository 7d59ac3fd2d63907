"""IRS Publication 1220 record layouts for 1099-NEC, as data: the generator writes records
from it and the validator reads files with it.

Each field is (name, start, length, kind[, value]) with 1-based positions as printed in the
publication. Kinds: ``A`` alphanumeric, left-justified and blank-filled; ``N`` numeric,
right-justified and zero-filled; ``B`` blanks; ``K`` a constant (``value``). ``required``
fields may not be left blank. Sources and the fields we could not confirm: docs/tax.md.
"""

from __future__ import annotations

from dataclasses import dataclass

RECORD_LENGTH = 750
TYPE_OF_RETURN_NEC = "NE"
#: Amount codes used on a 1099-NEC: 1 nonemployee compensation, 4 federal tax withheld.
NEC_AMOUNT_CODES = ("1", "4")


@dataclass(frozen=True)
class Field:
    name: str
    start: int
    length: int
    kind: str  # A, N, B or K
    value: str = ""
    required: bool = False

    @property
    def end(self) -> int:
        return self.start + self.length - 1

    @property
    def positions(self) -> str:
        return f"{self.start}-{self.end}" if self.length > 1 else str(self.start)


def A(name, start, length, required=False):
    return Field(name, start, length, "A", required=required)


def N(name, start, length, required=False):
    return Field(name, start, length, "N", required=required)


def B(start, length):
    return Field("blank", start, length, "B")


def K(name, start, value):
    return Field(name, start, len(value), "K", value=value, required=True)


_AMOUNT_KEYS = "123456789ABCDEFGHJ"  # Payment Amount 1-9, A-H, J (18 fields since TY2022)


def _amounts(start: int, width: int, label: str) -> list[Field]:
    return [
        N(f"{label} {key}", start + i * width, width, required=True)
        for i, key in enumerate(_AMOUNT_KEYS)
    ]


T_RECORD = [
    K("record type", 1, "T"),
    N("payment year", 2, 4, required=True),
    A("prior year data indicator", 6, 1),
    N("transmitter TIN", 7, 9, required=True),
    A("transmitter control code", 16, 5, required=True),
    B(21, 7),
    A("test file indicator", 28, 1),
    A("foreign entity indicator", 29, 1),
    A("transmitter name", 30, 40, required=True),
    A("transmitter name continuation", 70, 40),
    A("company name", 110, 40, required=True),
    A("company name continuation", 150, 40),
    A("company mailing address", 190, 40, required=True),
    A("company city", 230, 40, required=True),
    A("company state", 270, 2, required=True),
    A("company ZIP code", 272, 9, required=True),
    B(281, 15),
    N("total number of payees", 296, 8, required=True),
    A("contact name", 304, 40, required=True),
    A("contact telephone number", 344, 15, required=True),
    A("contact email address", 359, 50),
    B(409, 91),
    N("record sequence number", 500, 8, required=True),
    B(508, 10),
    A("vendor indicator", 518, 1, required=True),
    A("vendor name", 519, 40),
    A("vendor mailing address", 559, 40),
    A("vendor city", 599, 40),
    A("vendor state", 639, 2),
    A("vendor ZIP code", 641, 9),
    A("vendor contact name", 650, 40),
    A("vendor contact telephone number", 690, 15),
    B(705, 35),
    A("vendor foreign entity indicator", 740, 1),
    B(741, 8),
    B(749, 2),
]

A_RECORD = [
    K("record type", 1, "A"),
    N("payment year", 2, 4, required=True),
    A("combined federal/state filer", 6, 1),
    B(7, 5),
    N("payer TIN", 12, 9, required=True),
    A("payer name control", 21, 4),
    A("last filing indicator", 25, 1),
    A("type of return", 26, 2, required=True),
    A("amount codes", 28, 18, required=True),
    B(46, 6),
    A("foreign entity indicator", 52, 1),
    A("first payer name line", 53, 40, required=True),
    A("second payer name line", 93, 40),
    A("transfer agent indicator", 133, 1, required=True),
    A("payer shipping address", 134, 40, required=True),
    A("payer city", 174, 40, required=True),
    A("payer state", 214, 2, required=True),
    A("payer ZIP code", 216, 9, required=True),
    A("payer telephone number", 225, 15, required=True),
    B(240, 260),
    N("record sequence number", 500, 8, required=True),
    B(508, 241),
    B(749, 2),
]

B_RECORD = [
    K("record type", 1, "B"),
    N("payment year", 2, 4, required=True),
    A("corrected return indicator", 6, 1),
    A("name control", 7, 4),
    A("type of TIN", 11, 1),
    A("payee TIN", 12, 9),  # blanks when applied for and not yet received
    A("payer's account number for payee", 21, 20),
    A("payer's office code", 41, 4),
    B(45, 10),
    *_amounts(55, 12, "payment amount"),
    B(271, 16),
    A("foreign country indicator", 287, 1),
    A("first payee name line", 288, 40, required=True),
    A("second payee name line", 328, 40),
    A("payee mailing address", 368, 40, required=True),
    B(408, 40),
    A("payee city", 448, 40, required=True),
    A("payee state", 488, 2, required=True),
    A("payee ZIP code", 490, 9, required=True),
    B(499, 1),
    N("record sequence number", 500, 8, required=True),
    B(508, 36),
    # Positions 544-750 for Form 1099-NEC.
    A("second TIN notice", 544, 1),
    B(545, 2),
    A("direct sales indicator", 547, 1),
    A("FATCA filing requirement indicator", 548, 1),
    B(549, 114),
    A("special data entries", 663, 60),
    N("state income tax withheld", 723, 12),
    N("local income tax withheld", 735, 12),
    A("combined federal/state code", 747, 2),
    B(749, 2),
]

C_RECORD = [
    K("record type", 1, "C"),
    N("number of payees", 2, 8, required=True),
    B(10, 6),
    *_amounts(16, 18, "control total"),
    B(340, 160),
    N("record sequence number", 500, 8, required=True),
    B(508, 241),
    B(749, 2),
]

K_RECORD = [
    K("record type", 1, "K"),
    N("number of payees", 2, 8, required=True),
    B(10, 6),
    *_amounts(16, 18, "control total"),
    B(340, 160),
    N("record sequence number", 500, 8, required=True),
    B(508, 199),
    N("state income tax withheld total", 707, 18),
    N("local income tax withheld total", 725, 18),
    B(743, 4),
    N("combined federal/state code", 747, 2, required=True),
    B(749, 2),
]

F_RECORD = [
    K("record type", 1, "F"),
    N("number of A records", 2, 8, required=True),
    N("zero", 10, 21, required=True),
    B(31, 19),
    N("total number of payees", 50, 8),
    B(58, 442),
    N("record sequence number", 500, 8, required=True),
    B(508, 241),
    B(749, 2),
]

LAYOUTS = {"T": T_RECORD, "A": A_RECORD, "B": B_RECORD, "C": C_RECORD, "K": K_RECORD, "F": F_RECORD}

#: Combined Federal/State Filing Program state codes (Publication 1220, Part A).
CFSF_CODES = {
    "AL": "01", "DC": "11", "AZ": "04", "AR": "05", "CA": "06", "CO": "07", "CT": "08", "DE": "10",
    "GA": "13", "HI": "15", "ID": "16", "IN": "18", "KS": "20", "LA": "22", "ME": "23",
    "MD": "24", "MA": "25", "MI": "26", "MN": "27", "MS": "28", "MO": "29", "MT": "30",
    "NE": "31", "NJ": "34", "NM": "35", "NC": "37", "ND": "38", "OH": "39", "OK": "40",
    "OR": "41", "SC": "45", "WI": "55",
}  # fmt: skip


def check_layouts() -> None:
    """Each layout covers positions 1-750 exactly once, in order (run by the tests)."""
    for record, fields in LAYOUTS.items():
        position = 1
        for f in fields:
            if f.start != position:
                raise AssertionError(
                    f"{record} record: {f.name} starts at {f.start}, not {position}"
                )
            position = f.end + 1
        if position != RECORD_LENGTH + 1:
            raise AssertionError(f"{record} record ends at {position - 1}")
