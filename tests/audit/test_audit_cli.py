"""`rapport audit verify | export | retention` as a person at a terminal uses them."""

import datetime as dt
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from rapport_core.audit.chain import event_hash
from rapport_core.cli import build_cli, run
from rapport_core.tables import AuditEvent

from tests.audit.helpers import tamper


@pytest.fixture
def invoke():
    cli, runner = build_cli(), CliRunner()

    def call(*args: str, code: int = 0):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    return call


def _firm(invoke) -> tuple[str, int]:
    slug = f"audit-{uuid.uuid4().hex[:8]}"
    invoke("firm", "create", "--name", "Audit Law", "--slug", slug)
    invoke("firm", "set", "relationships.dormant_days", "45", "--firm", slug)

    async def events():
        return await AuditEvent.select().where(AuditEvent.firm.slug == slug).order_by(AuditEvent.id)

    return slug, run(events)


def test_verify_reports_a_holding_chain_then_the_first_broken_link(invoke):
    slug, events = _firm(invoke)
    held = invoke("audit", "verify", "--firm", slug)
    assert f"{slug}: chain holds ({len(events)} events)" in held.output
    run(
        lambda: tamper("UPDATE rapport_audit_event SET after = NULL WHERE id = {}", events[0]["id"])
    )
    broken = invoke("audit", "verify", "--firm", slug, code=1)
    assert f"BROKEN at event {events[0]['id']}" in broken.output and "edited" in broken.output
    report = json.loads(invoke("audit", "verify", "--firm", slug, "--json", code=1).stdout)
    assert report[0]["broken_event_id"] == events[0]["id"]


def test_export_writes_json_lines_and_a_pdf_with_the_chain(invoke, tmp_path):
    slug, events = _firm(invoke)
    day = events[0]["at"].date()
    result = invoke(
        "audit", "export", "--firm", slug, "--from", str(day - dt.timedelta(days=1)),
        "--to", str(day), "--out", str(tmp_path),
    )  # fmt: skip
    assert f"{len(events)} events written" in result.output
    [jsonl] = tmp_path.glob("*.jsonl")
    lines = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert [line["id"] for line in lines] == [e["id"] for e in events]
    assert lines[0]["prev_hash"] == ""
    for line in lines:  # each line re-hashes to its own hash, chained to the one before
        assert event_hash(line) == line["hash"]
    [pdf] = tmp_path.glob("*.pdf")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Audit log: Audit Law" in text and lines[-1]["hash"][:20] in text.replace("\n", "")
    backwards = invoke(
        "audit", "export", "--firm", slug, "--from", str(day), "--to", str(day - dt.timedelta(days=2)),
        "--out", str(tmp_path), code=1,
    )  # fmt: skip
    assert "--to is before --from" in backwards.output


def test_retention_cannot_go_below_the_legal_floor(invoke):
    slug, _ = _firm(invoke)
    shown = json.loads(invoke("audit", "retention", "--json", "--firm", slug).stdout)
    assert {"table_name": "rapport_audit_event", "years": 7, "floor_years": 7}.items() <= shown[
        0
    ].items()
    refused = invoke("audit", "retention", "--years", "5", "--firm", slug, code=1)
    assert "at least 7 years" in refused.output
    longer = json.loads(
        invoke("audit", "retention", "--years", "10", "--json", "--firm", slug).output
    )
    assert longer[0]["years"] == 10
    invoke("audit", "retention", "--years", "7", "--firm", slug)  # back to the default


def test_the_auditors_script_in_the_docs_checks_an_export(invoke, tmp_path):
    """docs/audit.md promises a short script, independent of Rapport, that re-checks an
    export: run it on a real export, then on a doctored one."""
    docs = (Path(__file__).parents[2] / "docs" / "audit.md").read_text()
    script = re.search(r"### Re-checking.*?```python\n(.*?)```", docs, re.S).group(1)
    (tmp_path / "check.py").write_text(script)
    slug, events = _firm(invoke)
    day = str(events[0]["at"].date())
    invoke("audit", "export", "--firm", slug, "--from", day, "--to", day, "--out", str(tmp_path))
    [jsonl] = tmp_path.glob("*.jsonl")

    def check(path):
        return subprocess.run(
            [sys.executable, str(tmp_path / "check.py"), str(path)], capture_output=True, text=True
        )

    held = check(jsonl)
    assert held.returncode == 0 and events[-1]["hash"] in held.stdout, held.stderr
    lines = jsonl.read_text().splitlines()
    doctored = json.loads(lines[1]) | {"actor": "nobody@example.com"}
    lines[1] = json.dumps(doctored)
    (tmp_path / "doctored.jsonl").write_text("\n".join(lines) + "\n")
    broken = check(tmp_path / "doctored.jsonl")
    assert broken.returncode == 1
    assert f"event {doctored['id']}: content does not match its hash" in broken.stderr
