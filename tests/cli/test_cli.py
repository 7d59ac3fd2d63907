"""The `rapport` command, run as a user would, against the test database."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from rapport_core.cli import build_cli

RAPPORT = str(Path(sys.executable).parent / "rapport")


def rapport(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [RAPPORT, *args], capture_output=True, text=True, env=os.environ.copy(), timeout=120
    )


@pytest.fixture
def invoke():
    cli = build_cli()
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert (result.exit_code == 0) is ok, result.output
        return result

    return run


def test_version_and_plugins_json():
    version = rapport("--version")
    assert version.returncode == 0 and version.stdout.startswith("rapport, version ")
    listed = rapport("plugins", "--json")
    assert listed.returncode == 0, listed.stderr
    plugins = {p["name"]: p for p in json.loads(listed.stdout)}
    assert {"server", "hello", "rapport_core.commands"} <= set(plugins)
    assert all({"name", "distribution", "version", "hooks"} <= set(p) for p in plugins.values())


def test_plugin_command_is_available():
    result = rapport("hello", "Ada")
    assert result.returncode == 0 and "Hello, Ada, from a plugin" in result.stdout


def test_db_migrate_is_idempotent(invoke):
    assert "up to date" in invoke("db", "migrate").output


def test_firm_user_token_partner_referral_flow(invoke, tmp_path):
    slug = f"cli-{tmp_path.name[-8:].lower().replace('_', '-')}"
    invoke("firm", "create", "--name", "CLI Law", "--slug", slug, "--jurisdiction", "FL")
    assert (
        "already exists" in invoke("firm", "create", "--name", "X", "--slug", slug, ok=False).output
    )
    invoke(
        "user",
        "create",
        "--firm",
        slug,
        "--email",
        f"owner@{slug}.example",
        "--name",
        "O",
        "--role",
        "owner",
        "--password",
        "long enough pw",
    )
    token = invoke("token", "create", "--firm", slug, "--email", f"owner@{slug}.example")
    assert token.output.strip().splitlines()[0].startswith("rpt_")

    # A partner, then referrals both ways found by partner name.
    from rapport_core.cli import run
    from rapport_core.commands import cli_actor
    from rapport_core.schemas import PartnerCreate
    from rapport_core.services.partners import create_partner

    async def add_partner():
        return await create_partner(
            await cli_actor(slug), PartnerCreate(name="Jane Roe", profession="cpa")
        )

    run(add_partner)
    sent = invoke(
        "referrals",
        "log",
        "--firm",
        slug,
        "--direction",
        "sent",
        "--partner",
        "jane roe",
        "--value",
        "2500.50",
        "--matter",
        "Tax planning",
        "--json",
    )
    [logged] = json.loads(sent.output)
    assert logged["estimated_value"] == "2500.50" and logged["stage"] == "introduced"
    received = invoke(
        "referrals", "log", "--firm", slug, "--direction", "received", "--partner", "Jane",
        "--settlement-service", "--not-federally-related-loan", "--json",
    )  # fmt: skip
    [facts] = json.loads(received.output)
    assert (facts["settlement_service"], facts["federally_related_loan"]) == (True, False)
    assert logged["settlement_service"] is None and logged["client_is_attest_client"] is None
    missing = invoke(
        "referrals", "log", "--firm", slug, "--direction", "sent", "--partner", "Nobody", ok=False
    )
    assert "no partner matches" in missing.output

    referrals = json.loads(invoke("referrals", "list", "--firm", slug, "--json").output)
    assert sorted(r["direction"] for r in referrals) == ["received", "sent"]
    partners = json.loads(invoke("partners", "list", "--firm", slug, "--json").output)
    assert [p["name"] for p in partners] == ["Jane Roe"]
    assert "Jane Roe" in invoke("partners", "list", "--firm", slug).output


def test_bad_value_is_a_clear_error(invoke):
    result = invoke(
        "referrals", "log", "--direction", "sent", "--partner", "x", "--value", "ten", ok=False
    )
    assert "--value" in result.output


def test_several_firms_need_firm_option(invoke):
    for _ in range(2):  # whatever ran before, there are now at least two firms
        slug = f"several-{uuid.uuid4().hex[:8]}"
        invoke("firm", "create", "--name", "Several", "--slug", slug)
    result = invoke("partners", "list", ok=False)
    assert "--firm SLUG" in result.output


def test_firm_settings_show_and_set(invoke):
    slug = f"settings-{uuid.uuid4().hex[:8]}"
    invoke("firm", "create", "--name", "Settings Co", "--slug", slug)
    changed = invoke("firm", "set", "relationships.dormant_days", "45", "--firm", slug)
    assert "45" in changed.output
    shown = json.loads(invoke("firm", "settings", "--json", "--firm", slug).output)
    values = {row["key"]: row["value"] for row in shown}
    assert values["relationships.dormant_days"] == 45
    assert values["sla.acknowledge_hours"] == 4
    bad = invoke("firm", "set", "--firm", slug, "relationships.dormant_days", "0", ok=False)
    assert "relationships.dormant_days" in bad.output


def test_firm_registration_is_set_and_cleared(invoke):
    slug = f"registered-{uuid.uuid4().hex[:8]}"
    invoke("firm", "create", "--name", "Broker Co", "--slug", slug)
    assert (
        "finra_bd"
        in invoke("firm", "set", "compliance.registration", "finra_bd", "--firm", slug).output
    )
    bad = invoke("firm", "set", "compliance.registration", "finra_rr", "--firm", slug, ok=False)
    assert "compliance.registration" in bad.output and "'finra_bd'" in bad.output
    invoke("firm", "set", "compliance.registration", "null", "--firm", slug)
    shown = json.loads(invoke("firm", "settings", "--json", "--firm", slug).output)
    assert {row["key"]: row["value"] for row in shown}["compliance.registration"] is None
