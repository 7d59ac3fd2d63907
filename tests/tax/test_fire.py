"""FIRE records against Publication 1220. The positions below are typed from the
publication's record layouts, independently of rapport_core.tax.fire_layout, so a wrong
layout table fails here."""

import os
import subprocess
import sys
from pathlib import Path

from rapport_core.tax.fire import Payee, Transmission, build_file, validate
from rapport_core.tax.fire_layout import check_layouts

PAYER = {
    "legal_name": "Harbor Law LLP",
    "address": "100 Biscayne Blvd",
    "city": "Miami",
    "state": "FL",
    "postal_code": "33132",
    "phone": "305-555-0100",
    "contact_name": "Pat Payer",
    "contact_email": "pat@harbor.example",
    "transmitter_control_code": "5A123",
}


def transmission(**changes) -> Transmission:
    payees = [
        Payee("123456789", "ssn", "Grace Hopper", "1 Navy Way", "Arlington", "VA", "22201",
              "P1", 250000, 0),
        Payee("", "", "Ada Missing", "2 Engine St", "Tampa", "FL", "33602", "P2", 300000, 72000,
              state_code="", state_withheld_cents=0),
    ]  # fmt: skip
    values = {"year": 2026, "payer": PAYER, "payer_tin": "123456789", "payees": payees}
    return Transmission(**{**values, **changes})


def at(record: str, start: int, end: int) -> str:
    """Positions as the publication numbers them: 1-based, inclusive."""
    return record[start - 1 : end]


def test_layouts_cover_every_position_once():
    check_layouts()


def test_key_fields_sit_where_publication_1220_puts_them():
    records = build_file(transmission()).split("\r\n")[:-1]
    t, a, b1, b2, c, f = records
    assert all(len(r) == 750 for r in records)
    # T record
    assert at(t, 1, 1) == "T" and at(t, 2, 5) == "2026"
    assert at(t, 7, 15) == "123456789" and at(t, 16, 20) == "5A123"
    assert at(t, 30, 69).rstrip() == "HARBOR LAW LLP"
    assert at(t, 296, 303) == "00000002"  # total number of payees
    assert at(t, 500, 507) == "00000001" and at(t, 518, 518) == "I"
    # A record
    assert at(a, 12, 20) == "123456789" and at(a, 21, 24) == "HARB"
    assert at(a, 26, 27) == "NE" and at(a, 28, 45).rstrip() == "14"
    assert at(a, 53, 92).rstrip() == "HARBOR LAW LLP" and at(a, 133, 133) == "0"
    assert at(a, 216, 224).rstrip() == "33132" and at(a, 225, 239).rstrip() == "3055550100"
    assert at(a, 500, 507) == "00000002"
    # B records: amount 1 at 55-66, amount 4 at 91-102, name at 288-327
    assert at(b1, 7, 10) == "HOPP" and at(b1, 11, 11) == "2" and at(b1, 12, 20) == "123456789"
    assert at(b1, 21, 40).rstrip() == "P1"
    assert at(b1, 55, 66) == "000000250000" and at(b1, 91, 102) == "000000000000"
    assert at(b1, 288, 327).rstrip() == "GRACE HOPPER"
    assert at(b1, 368, 407).rstrip() == "1 NAVY WAY" and at(b1, 448, 487).rstrip() == "ARLINGTON"
    assert at(b1, 488, 489) == "VA" and at(b1, 490, 498).rstrip() == "22201"
    assert at(b1, 500, 507) == "00000003"
    assert at(b2, 12, 20) == " " * 9  # TIN applied for: blanks
    assert at(b2, 91, 102) == "000000072000"
    assert at(b2, 723, 734) == "000000000000"  # state income tax withheld
    # C record: control total 1 at 16-33, 4 at 70-87
    assert at(c, 2, 9) == "00000002"
    assert at(c, 16, 33) == "000000000000550000" and at(c, 70, 87) == "000000000000072000"
    # F record
    assert at(f, 2, 9) == "00000001" and at(f, 10, 30) == "0" * 21
    assert at(f, 50, 57) == "00000002" and at(f, 500, 507) == "00000006"


def test_state_totals_go_in_k_records_for_a_combined_filer():
    t = transmission(combined_federal_state=True)
    payees = [t.payees[0].__class__(**{**t.payees[0].__dict__, "state_code": "51"}), t.payees[1]]
    records = build_file(transmission(payees=payees, combined_federal_state=True)).split("\r\n")[
        :-1
    ]
    assert [r[0] for r in records] == ["T", "A", "B", "B", "C", "K", "F"]
    k = records[5]
    assert at(records[1], 6, 6) == "1" and at(records[2], 747, 748) == "51"
    assert at(k, 16, 33) == "000000000000250000" and at(k, 747, 748) == "51"
    assert validate("\r\n".join(records)) is None


def test_the_validator_reports_the_first_bad_field():
    records = build_file(transmission()).split("\r\n")[:-1]
    b = records[2]
    records[2] = b[:54] + "00000025000X" + b[66:]
    bad = validate("\r\n".join(records))
    assert (bad.record, bad.record_type, bad.field, bad.positions) == (
        3,
        "B",
        "payment amount 1",
        "55-66",
    )
    records = build_file(transmission()).split("\r\n")[:-1]
    c = records[4]
    records[4] = c[:15] + "000000000000550001" + c[33:]
    bad = validate("\r\n".join(records))
    assert (bad.field, bad.positions) == ("control total 1", "16-33")
    assert "550000" in bad.problem
    bad = validate("\r\n".join(build_file(transmission()).split("\r\n")[:-2]))  # no F record
    assert bad.problem == "file must end with an F record"
    records = build_file(transmission()).split("\r\n")[:-1]
    records[1] = records[1][:25] + "A " + records[1][27:]
    assert validate("\r\n".join(records)).field == "type of return"


def test_fire_validate_command_exits_1_with_the_bad_field(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(build_file(transmission()), newline="")
    bad = tmp_path / "bad.txt"
    lines = build_file(transmission()).split("\r\n")
    lines[0] = lines[0][:6] + "12345678X" + lines[0][15:]
    bad.write_text("\r\n".join(lines), newline="")
    command = [str(Path(sys.executable).parent / "rapport")]
    ok = subprocess.run(
        [*command, "tax", "fire-validate", str(good)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    assert ok.returncode == 0, ok.stderr
    refused = subprocess.run(
        [*command, "tax", "fire-validate", str(bad)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    assert refused.returncode == 1
    assert "record 1 (T), transmitter TIN (positions 7-15)" in refused.stderr
