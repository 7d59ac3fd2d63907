"""`rapport agreements upload | list | expiring` and the briefing's expiring agreements."""

import datetime as dt
import json
import uuid

import pytest
from click.testing import CliRunner
from rapport_core.cli import build_cli, run
from rapport_core.commands import cli_actor
from rapport_core.insights.briefing import daily_briefing
from rapport_core.schemas import PartnerCreate
from rapport_core.services.partners import create_partner

from tests.agreements.helpers import make_pdf

TODAY = dt.datetime.now(dt.UTC).date()


@pytest.fixture
def invoke():
    cli, runner = build_cli(), CliRunner()

    def call(*args: str, code: int = 0):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    return call


def test_upload_and_expiring_at_the_firms_thresholds(invoke, tmp_path):
    slug = f"agr-{uuid.uuid4().hex[:8]}"
    invoke("firm", "create", "--name", "Agreements Law", "--slug", slug)

    async def partner():
        return await create_partner(
            await cli_actor(slug), PartnerCreate(name="Kim Cpa", profession="cpa")
        )

    run(partner)
    pdf = tmp_path / "kim.pdf"
    for days in (10, 50, 80, 200):
        pdf.write_bytes(make_pdf(f"kim {days}"))
        done = invoke(
            "agreements", "upload", str(pdf), "--firm", slug, "--partner", "Kim", "--kind", "fee_sharing",
            "--signed", str(TODAY), "--expires", str(TODAY + dt.timedelta(days=days)),
        )  # fmt: skip
        assert "version 1: Fee-sharing agreement (active)" in done.output
    not_pdf = tmp_path / "notes.txt"
    not_pdf.write_text("hello")
    refused = invoke(
        "agreements", "upload", str(not_pdf), "--firm", slug, "--partner", "Kim", "--kind", "other",
        code=1,
    )  # fmt: skip
    assert "notes.txt is not a PDF" in refused.output and "(file)" in refused.output
    assert len(json.loads(invoke("agreements", "list", "--firm", slug, "--json").output)) == 4

    expiring = json.loads(invoke("agreements", "expiring", "--firm", slug, "--json").output)
    assert [(e["days_left"], e["threshold_days"]) for e in expiring] == [
        (10, 30),
        (50, 60),
        (80, 90),
    ]
    invoke("firm", "set", "agreements.expiry_warning_days", "14, 60", "--firm", slug)
    expiring = json.loads(invoke("agreements", "expiring", "--firm", slug, "--json").output)
    assert [(e["days_left"], e["threshold_days"]) for e in expiring] == [(10, 14), (50, 60)]

    async def briefing():
        return await daily_briefing(await cli_actor(slug))

    actions = [a for a in run(briefing) if a.kind == "agreement_expiring"]
    assert [a.reason for a in actions][:1] == [
        f"expires in 10 day(s), on {TODAY + dt.timedelta(days=10)}"
    ]
    assert actions[0].link.startswith("/agreements/")
