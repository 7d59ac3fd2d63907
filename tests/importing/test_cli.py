"""`rapport partners import` as a person runs it: dry run, all-or-nothing refusal with a
report file, skip-bad-rows, a column mapping, JSON output, re-import."""

import csv
import json
import uuid

import pytest
from click.testing import CliRunner
from rapport_core.cli import build_cli

from tests.importing import samples


@pytest.fixture
def rapport():
    cli, runner = build_cli(), CliRunner()
    slug = f"imp-{uuid.uuid4().hex[:10]}"
    runner.invoke(cli, ["firm", "create", "--name", "Import Law", "--slug", slug])

    def run(*args: str, ok: bool = True):
        result = runner.invoke(cli, [*args, "--firm", slug], catch_exceptions=False)
        assert (result.exit_code == 0) is ok, result.output
        return result

    return run


def test_import_dry_run_refusal_skip_and_reimport(rapport, tmp_path):
    export = tmp_path / "contacts.csv"
    export.write_text(
        samples.outlook(
            [
                {
                    "First Name": "Dana",
                    "Last Name": "Ortiz",
                    "E-mail Address": "dana@ortiz.example",
                    "Business State": "FL",
                },
                {"First Name": "Bad", "E-mail Address": "nope"},
            ]
        ),  # fmt: skip
        encoding="cp1252",
    )
    dry = rapport("partners", "import", str(export), "--dry-run")
    assert "Outlook contacts export, 2 rows (dry run)" in dry.output
    assert "nope" in dry.output
    report = tmp_path / "report.csv"
    refused = rapport("partners", "import", str(export), "--report", str(report), ok=False)
    assert "nothing was imported" in refused.output
    rows = list(csv.DictReader(report.open()))
    assert [(r["row"], r["line"], r["field"]) for r in rows] == [("2", "3", "email")]
    assert json.loads(rapport("partners", "list", "--json").output) == []

    done = rapport("partners", "import", str(export), "--skip-bad-rows", "--json")
    [summary] = json.loads(done.output)
    assert (summary["status"], summary["counts"]["created"]) == ("imported", 1)
    again = json.loads(rapport("partners", "import", str(export), "--skip-bad-rows",
                               "--json").output)[0]  # fmt: skip
    assert (again["counts"]["created"], again["counts"]["unchanged"]) == (0, 1)
    [dana] = json.loads(rapport("partners", "list", "--json").output)
    assert (dana["name"], dana["state"]) == ("Dana Ortiz", "FL")


def test_import_with_a_column_mapping(rapport, tmp_path):
    sheet = tmp_path / "people.csv"
    sheet.write_text("Person\tFirm\tKind\nAnn Lee\tLee Law\tLawyer\n")
    result = rapport(
        "partners", "import", str(sheet),
        "--map", "Person=name", "--map", "Firm=organisation", "--map", "Kind=profession",
    )  # fmt: skip
    assert "1 row (imported)" in result.output
    [ann] = json.loads(rapport("partners", "list", "--json").output)
    assert (ann["organisation"], ann["profession"]) == ("Lee Law", "attorney")
    wrong = rapport("partners", "import", str(sheet), "--map", "Person=nickname", ok=False)
    assert "'nickname' is not a partner field" in wrong.output


def test_import_records_each_partners_registration(rapport, tmp_path):
    sheet = tmp_path / "advisers.csv"
    sheet.write_text(
        "Name,Profession,Registration\n"
        "Ria Reyes,financial advisor,SEC RIA\n"
        "Bo Broker,broker dealer,FINRA broker-dealer\n"
        "Cal Cpa,cpa,\n"
        "Nora Notary,other,notary\n"
    )
    result = rapport("partners", "import", str(sheet), "--skip-bad-rows", "--json")
    [summary] = json.loads(result.output)
    assert (summary["counts"]["created"], summary["counts"]["failed"]) == (3, 1)
    [problem] = summary["problems"]
    assert (problem["name"], problem["field"]) == ("Nora Notary", "registration")
    assert "'finra_bd'" in problem["reason"] and "('notary')" in problem["reason"]
    listed = json.loads(rapport("partners", "list", "--json").output)
    assert {p["name"]: p["registration"] for p in listed} == {
        "Bo Broker": "finra_bd",
        "Cal Cpa": None,
        "Ria Reyes": "sec_ria",
    }
