"""Every way of evaluating finds the same on the benchmark's documents and the built-in
packs: one engine rule per pack rule or one per alternative (the old compiler), one
document at a time or in batches, one process or worker processes."""

from __future__ import annotations

import random

import pytest
from rapport_core.compliance import documents, engine
from rapport_core.compliance.catalog import load_catalog
from rapport_core.compliance.evaluation import compile_packs, evaluate_parallel

from bench.compliance import synthetic_document


@pytest.fixture(scope="module")
def packs():
    packs = load_catalog().all()
    assert len(packs) > 10, "the built-in packs are installed"
    return packs


@pytest.fixture(scope="module")
def sample(packs):
    states = sorted({p.meta.jurisdiction for p in packs if p.meta.jurisdiction != "US"})
    rng = random.Random(11)
    return [synthetic_document(rng, [*states, "US-WY"]) for _ in range(2 * engine.BATCH + 500)]


def test_one_rule_per_pack_rule_finds_what_one_per_alternative_found(packs, sample):
    whole = compile_packs(packs).evaluate_many(sample)
    split = compile_packs(packs, split=True).evaluate_many(sample)
    assert whole == split
    # The sample exercises the rules: many fire, on many documents, and many documents pass.
    fired = {(f.pack_id, f.rule_id) for findings in whole for f in findings}
    assert len(fired) > 40
    assert 0.1 < sum(1 for findings in whole if findings) / len(whole) < 0.9


def test_batches_find_what_single_documents_find(packs, sample):
    compiled = compile_packs(packs)
    assert compiled.evaluate_many(sample[:300]) == [compiled.evaluate(d) for d in sample[:300]]
    # Subjects filter the same way in a batch.
    assert compiled.evaluate_many(sample[:300], subject="partner") == [
        compiled.evaluate(d, subject="partner") for d in sample[:300]
    ]


def test_worker_processes_find_what_one_process_finds(packs, sample):
    one = compile_packs(packs).evaluate_many(sample)
    assert evaluate_parallel(packs, sample, workers=2) == one


def test_a_batch_leaves_no_facts_in_the_engine(packs, sample):
    compiled = compile_packs(packs)
    compiled.evaluate_many(sample[:500])
    names = {compiled.ruleset_for(d["firm"]["jurisdiction"]) for d in sample[:500]}
    for name in names:
        facts = engine._get_host().get_facts(name, engine._SID)
        assert facts == []


def test_a_bad_fact_in_a_batch_is_refused_with_its_path(packs, sample):
    bad = documents.merged({"fee": {"amount": "12.345"}})
    with pytest.raises(documents.FactError, match="fee.amount: money has at most two decimal"):
        compile_packs(packs).evaluate_many([*sample[:10], bad])
    with pytest.raises(documents.FactError, match="unknown fact 'fee.amont'"):
        compile_packs(packs).evaluate_many([{"fee": {"amont": "1.00"}}])
