"""`rapport rulepack …` as a consultant uses it: validate, test, explain, new, schema."""

import json

import pytest
from click.testing import CliRunner
from rapport_core.cli import build_cli

from tests.compliance.conftest import BROKEN, GOOD


@pytest.fixture
def rapport(monkeypatch):
    monkeypatch.delenv("RAPPORT_RULEPACK_PATH", raising=False)
    cli = build_cli()

    def run(*args, env=None):
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    return run


def test_validate_good_packs(rapport):
    result = rapport("rulepack", "validate", str(GOOD))
    assert result.exit_code == 0, result.output
    assert "ok     test-base 1.0.0: 4 rules (4 in force)" in result.output
    # test-state inherits three (one disabled, one replaced) and adds its own.
    assert "ok     test-state 2.0.0: 1 rules (3 in force)" in result.output


@pytest.mark.parametrize(
    ("pack", "where", "message"),
    [
        ("bad-yaml", "bad-yaml/rules/r.yaml:3:", "not valid YAML"),
        ("bad-severity", "bad-severity/rules/r.yaml:3: severity:", "'critical' is not allowed"),
        (
            "unknown-fact",
            "unknown-fact/rules/r.yaml:12: when.any[1].not.fact:",
            "did you mean agreement.client_consent? valid fields of agreement: fee_sharing, "
            "client_consent, solicitation, reciprocal",
        ),
        (
            "type-mismatch",
            "type-mismatch/rules/r.yaml:9: when.gt.fact:",
            "type mismatch: fee.referring_share is a share, referral.date is a date",
        ),
        ("duplicate-id", "duplicate-id/rules/b.yaml:1: id:", "duplicate rule id 'base.share-cap'"),
        (
            "dangling-extends",
            "dangling-extends/pack.yaml:11: extends[0]:",
            "'no-such-pack', which is not a known pack",
        ),
        (
            "dangling-disable",
            "dangling-disable/pack.yaml:13: disable[0].rule:",
            "'base.not-a-rule', which is not inherited",
        ),
    ],
)
def test_validate_names_file_line_and_key(rapport, pack, where, message):
    # The good packs are registered, so a broken pack may extend test-base.
    result = rapport(
        "rulepack", "validate", str(BROKEN / pack), env={"RAPPORT_RULEPACK_PATH": str(GOOD)}
    )
    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if where in line]
    assert problems and message in problems[0], result.output


def test_a_broken_pack_does_not_stop_the_others(rapport):
    result = rapport("rulepack", "validate", str(BROKEN))
    assert result.exit_code == 1
    assert "ok     wrong-case" in result.output
    assert "FAILED unknown-fact" in result.output and "FAILED duplicate-id" in result.output


def test_test_passes_good_packs_and_reports_todo(rapport):
    result = rapport("rulepack", "test", str(GOOD))
    assert result.exit_code == 0, result.output
    assert "17 passed, 0 failed, 1 todo in 2 packs" in result.output
    assert "TODO test-base base.client-consent :: consent given by phone" in result.output


def test_test_is_strict_both_ways(rapport, tmp_path):
    missed = rapport("rulepack", "test", str(BROKEN / "wrong-case"))
    assert missed.exit_code == 1
    assert "expected wrong.cap to fire; it did not" in missed.output
    # The other way: a case that expects nothing while the rule fires.
    pack = tmp_path / "strict"
    (pack / "rules").mkdir(parents=True)
    (pack / "pack.yaml").write_text(
        (GOOD / "base" / "pack.yaml").read_text().replace("test-base", "strict")
    )
    rule = (GOOD / "base" / "rules" / "share-cap.yaml").read_text()
    (pack / "rules" / "cap.yaml").write_text(
        rule.replace("name: a third\n    expect: fire", "name: a third\n    expect: none")
    )
    unexpected = rapport("rulepack", "test", str(pack))
    assert unexpected.exit_code == 1
    assert (
        "expected no base.share-cap finding; it fired: The referring side takes 0.33 of the fee."
        in unexpected.output
    )


def test_test_json(rapport):
    result = rapport(
        "rulepack", "test", str(GOOD / "state"), "--json", env={"RAPPORT_RULEPACK_PATH": str(GOOD)}
    )
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {(r["rule_id"], r["outcome"]) for r in rows} == {("state.client-consent", "passed")}


def test_explain_in_plain_words(rapport):
    result = rapport(
        "rulepack", "explain", "base.licence-lapsed", env={"RAPPORT_RULEPACK_PATH": str(GOOD)}
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "base.licence-lapsed  (warning, about the partner)" in out
    assert (
        "fires when: (partner.licence.expires_on is before/less than as_of or partner.licence.status is one of expired, suspended, revoked)"
        in out
    )
    assert "[fire] expired yesterday" in out and "[none] expires today" in out
    assert "inherited by: test-state" in out
    assert (
        rapport(
            "rulepack", "explain", "base.share-cap", env={"RAPPORT_RULEPACK_PATH": str(GOOD)}
        ).output.count("not in test-state: California has no cap")
        == 1
    )
    assert rapport("rulepack", "explain", "no.such-rule").exit_code == 1


def test_new_scaffolds_a_pack_that_validates_and_tests(rapport, tmp_path):
    target = tmp_path / "us-tx-referrals"
    created = rapport("rulepack", "new", str(target), "--jurisdiction", "US-TX")
    assert created.exit_code == 0, created.output
    assert rapport("rulepack", "validate", str(target)).exit_code == 0
    tested = rapport("rulepack", "test", str(target))
    assert tested.exit_code == 0 and "2 passed, 0 failed, 1 todo" in tested.output
    assert rapport("rulepack", "new", str(target)).exit_code == 1  # never overwrites


def test_schema_is_published_and_current(rapport):
    from rapport_core.compliance.model import json_schemas, published_schemas

    assert (
        published_schemas() == json_schemas()
    )  # regenerate: python -m rapport_core.compliance.model
    printed = json.loads(rapport("rulepack", "schema").output)
    assert set(printed) == {"pack", "rule"}
    rule = json.loads(rapport("rulepack", "schema", "rule").output)
    assert rule["properties"]["when"] == {"$ref": "#/$defs/Condition"}
    assert {"all", "any", "not", "fact"} <= {
        next(iter(b["required"])) for b in rule["$defs"]["Condition"]["anyOf"]
    }
    assert rule["properties"]["severity"]["enum"] == ["violation", "warning", "info"]


def test_list_shows_loaded_and_failed(rapport):
    result = rapport(
        "rulepack",
        "list",
        "--json",
        env={"RAPPORT_RULEPACK_PATH": f"{GOOD}:{BROKEN / 'unknown-fact'}"},
    )
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert rows["test-base"]["status"] == "loaded" and rows["test-state"]["extends"] == [
        "test-base"
    ]
    assert rows["unknown-fact"]["status"] == "failed"
    assert "unknown fact 'agreement.client_consnt.written'" in rows["unknown-fact"]["problems"][0]


def test_evaluate_a_fact_document_without_a_database(rapport, tmp_path):
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        "fee: {kind: division, amount: 4500.50, referring_share: 0.4}\nagreement: {client_consent: null}\n"
    )
    env = {"RAPPORT_RULEPACK_PATH": str(GOOD)}
    result = rapport(
        "compliance", "evaluate", str(facts), "--defaults", "--pack", "test-base", "--json", env=env
    )
    assert result.exit_code == 1  # a violation fired
    findings = {f["rule_id"]: f for f in json.loads(result.stdout)}
    assert set(findings) == {"base.client-consent", "base.share-cap"}
    assert findings["base.share-cap"]["facts"] == {"fee.referring_share": 0.4}
    assert (
        findings["base.client-consent"]["message"]
        == "No written client consent for the referral to (unknown) (fee $4,500.50)."
    )
    facts.write_text("fee: {amount: 12.345}\nfirm: {profesion: attorney}\n")
    bad = rapport("compliance", "evaluate", str(facts), env=env)
    assert bad.exit_code == 1
    assert "facts.yaml:1: fee.amount: money has at most two decimal places" in bad.output
    assert (
        "facts.yaml:2: firm.profesion: unknown fact 'firm.profesion': did you mean firm.profession?"
        in bad.output
    )
