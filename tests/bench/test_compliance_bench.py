"""The compliance benchmark at a tiny scale, so it keeps working: every figure is produced
and the bulk run finds what the engine finds. (Speed is for `python -m bench.compliance`.)"""

from rapport_core.compliance.catalog import load_catalog

from bench.compliance import measure_bulk, measure_single, report
from tests.compliance.conftest import good_packs  # noqa: F401  (fixture)


async def test_compliance_benchmark_produces_its_figures(good_packs, capsys):  # noqa: F811
    bulk = measure_bulk(300, seed=2)
    # Every loaded pack takes part: the test packs, and the built-in ones when installed.
    assert bulk.documents == 300 and bulk.packs == len(load_catalog().all()) >= 2
    assert bulk.findings > 0
    assert bulk.total_s > 0 and bulk.engine_only_s > 0 and bulk.ratio > 0
    assert bulk.sample == 300 and bulk.sample_identical
    single = await measure_single(runs=4, referrals=3)
    assert len(single.ms) == 4 and all(ms > 0 for ms in single.ms)
    assert all(0 < n < 30 for n in single.queries)
    report(bulk, single)
    out = capsys.readouterr().out
    assert (
        "total ÷ engine alone" in out
        and "where the bulk time goes" in out
        and "one referral p95" in out
    )
