"""The engine's semantics: missing facts never fire, negation, dates, exact money and
shares, and one private host shared safely."""

import dataclasses
import datetime as dt
import threading

import pytest
from rapport_core.compliance import conditions, documents, engine
from rapport_core.compliance.evaluation import compile_packs
from rapport_core.compliance.packs import build_catalog

from tests.compliance.conftest import GOOD


def fires(condition: dict, facts: dict) -> bool:
    node = conditions.parse(condition)
    expressions = {f"t#{i}": e for i, e in enumerate(conditions.compile_terms(node))}
    name = engine.ruleset_name(expressions)
    return bool(engine.fire(name, documents.to_engine(facts)))


@pytest.mark.parametrize(
    ("condition", "facts", "expected"),
    [
        ({"fact": "fee.amount", "gt": 1000}, {"fee": {"amount": "1000.01"}}, True),
        ({"fact": "fee.amount", "gt": 1000}, {"fee": {"amount": "1000.00"}}, False),
        # 0.1 + 0.2 style drift cannot happen: money is compared in whole cents.
        ({"fact": "fee.amount", "eq": 0.3}, {"fee": {"amount": 0.3}}, True),
        ({"fact": "fee.referring_share", "lte": 0.25}, {"fee": {"referring_share": "0.25"}}, True),
        # A comparison against a missing fact is false, and so is its opposite.
        ({"fact": "fee.amount", "gt": 0}, {"fee": {}}, False),
        ({"fact": "fee.amount", "lte": 0}, {"fee": {}}, False),
        ({"fact": "fee.kind", "ne": "division"}, {}, False),
        # …but its negation is true: "not (amount > 0)" holds when the amount is missing.
        ({"not": {"fact": "fee.amount", "gt": 0}}, {"fee": {}}, True),
        (
            {
                "not": {
                    "all": [
                        {"fact": "fee.cash", "eq": True},
                        {"fact": "fee.kind", "eq": "division"},
                    ]
                }
            },
            {"fee": {"cash": True, "kind": "division"}},
            False,
        ),
        (
            {
                "not": {
                    "all": [
                        {"fact": "fee.cash", "eq": True},
                        {"fact": "fee.kind", "eq": "division"},
                    ]
                }
            },
            {"fee": {"cash": True, "kind": "flat_gift"}},
            True,
        ),
        (
            {"fact": "agreement.reciprocal", "present": True},
            {"agreement": {"reciprocal": {}}},
            True,
        ),
        (
            {"fact": "agreement.reciprocal", "absent": True},
            {"agreement": {"reciprocal": None}},
            True,
        ),
        (
            {"fact": "fee.kind", "in": ["division", "referral_fee"]},
            {"fee": {"kind": "referral_fee"}},
            True,
        ),
        (
            {"fact": "fee.kind", "not_in": ["division", "referral_fee"]},
            {"fee": {"kind": "commission"}},
            True,
        ),
        ({"fact": "fee.kind", "not_in": ["division"]}, {}, False),
        # Date arithmetic: expires within 30 days of as_of.
        (
            {"fact": "partner.licence.expires_on", "lte": {"fact": "as_of", "plus_days": 30}},
            {"as_of": dt.date(2026, 1, 1), "partner": {"licence": {"expires_on": "2026-01-31"}}},
            True,
        ),
        (
            {"fact": "partner.licence.expires_on", "lte": {"fact": "as_of", "plus_days": 30}},
            {"as_of": dt.date(2026, 1, 1), "partner": {"licence": {"expires_on": "2026-02-01"}}},
            False,
        ),
        (
            {"fact": "partner.licence.expires_on", "lt": {"fact": "referral.date"}},
            {"partner": {"licence": {"expires_on": "2026-01-01"}}},
            False,
        ),
        (
            {"fact": "payments.total", "gt": 500},
            {
                "payments": [
                    {"date": "2026-01-01", "amount": 300},
                    {"date": "2026-02-01", "amount": "200.01"},
                ]
            },
            True,
        ),
        (
            {"fact": "payments.first_date", "lt": {"fact": "agreement.fee_sharing.signed_on"}},
            {
                "payments": [{"date": "2026-01-01", "amount": 3}],
                "agreement": {"fee_sharing": {"signed_on": "2026-01-02"}},
            },
            True,
        ),
    ],
)
def test_semantics(condition, facts, expected):
    assert fires(condition, facts) is expected


def test_a_document_that_matches_nothing_is_no_finding_and_leaves_no_state():
    catalog = build_catalog([GOOD])
    compiled = compile_packs([catalog.get("test-base")])
    clean = documents.merged({"fee": {"referring_share": "0.2"}})
    for _ in range(3):
        assert compiled.evaluate(clean) == []
    # Each evaluation is independent: nothing remembered from the previous document.
    assert [f.rule_id for f in compiled.evaluate(documents.merged({}))] == ["base.share-cap"]
    assert compiled.evaluate(clean) == []


def test_the_same_rules_compile_to_one_ruleset_and_threads_share_it():
    catalog = build_catalog([GOOD])
    first = compile_packs([catalog.get("test-base")])
    again = compile_packs([catalog.get("test-base")])
    name = first.ruleset_for("US-CA")
    assert name == again.ruleset_for("US-CA") and name.startswith("rapport.")
    results, errors = [], []

    def work(share: str) -> None:
        try:
            for _ in range(50):
                found = {
                    f.rule_id
                    for f in first.evaluate(documents.merged({"fee": {"referring_share": share}}))
                }
                results.append((share, "base.share-cap" in found))
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work, args=(s,)) for s in ("0.2", "0.3", "0.2", "0.3")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(fired == (share == "0.3") for share, fired in results) and len(results) == 200


def test_a_state_pack_applies_in_its_state_and_supersedes_its_base_there():
    catalog = build_catalog([GOOD])
    base, state = catalog.get("test-base"), catalog.get("test-state")
    compiled = compile_packs([base, state])
    in_california = documents.merged({"firm": {"jurisdiction": "US-CA"}})
    in_texas = documents.merged({"firm": {"jurisdiction": "US-TX"}})
    # California: the state pack decides, and it disabled the share cap.
    assert {(f.pack_id, f.rule_id) for f in compiled.evaluate(in_california)} == set()
    # Texas has no state pack here: the base pack's cap applies.
    assert {(f.pack_id, f.rule_id) for f in compiled.evaluate(in_texas)} == {
        ("test-base", "base.share-cap")
    }


def test_bad_values_are_refused_with_their_path():
    with pytest.raises(
        documents.FactError, match="fee.amount: money has at most two decimal places"
    ):
        documents.to_engine({"fee": {"amount": "1.005"}})
    with pytest.raises(documents.FactError, match="'bribe' is not one of division"):
        documents.to_engine({"fee": {"kind": "bribe"}})
    with pytest.raises(
        conditions.ConditionErrors, match="lt compares numbers and dates; fee.kind is a string"
    ):
        conditions.parse({"fact": "fee.kind", "lt": 3})


def test_a_condition_past_the_engines_limit_is_compiled_one_rule_per_alternative():
    def nested(depth: int) -> dict:
        if depth == 0:
            return {"fact": "fee.cash", "eq": True}
        group = "any" if depth % 2 else "all"
        return {group: [{"fact": "fee.amount", "gt": depth * 100}, nested(depth - 1)]}

    when = conditions.parse(nested(24))
    with pytest.raises(engine.EngineRefused):
        engine.ruleset_name({"too-big": conditions.compile_node(when)})
    base = build_catalog([GOOD]).get("test-base")
    rule = base.resolved["base.share-cap"]
    pack = dataclasses.replace(
        base, resolved={rule.id: dataclasses.replace(rule, when=when)}, ancestors=[]
    )
    whole, split = compile_packs([pack]), compile_packs([pack], split=True)
    facts = [
        documents.merged({"fee": {"amount": amount, "cash": cash}})
        for amount in ("50.00", "150.00", "250.00", "1250.00", "2450.00", "9999.00")
        for cash in (True, False)
    ]
    fired = [bool(whole.evaluate(d)) for d in facts]
    assert fired == [bool(split.evaluate(d)) for d in facts]
    assert any(fired) and not all(fired)
