"""The insights benchmark at a tiny scale, so it keeps working: it writes the firm it was asked
for and produces every figure. (Its speed is for `python -m bench.insights` to report.)"""

from rapport_core.tables import Firm, Licence, Partner, Referral, ReferralStageChange

from bench.dataset import Scale
from bench.insights import measure


async def test_benchmark_builds_the_firm_and_measures_every_figure(client):
    figures = await measure(Scale(partners=40, referrals=300, seed=3), runs=2, health_runs=1)

    firm = (
        await Firm.select(Firm.id)
        .where(Firm.name == "Bench & Co")
        .order_by(Firm.id, ascending=False)
        .first()
    )
    assert await Partner.count().where(Partner.firm == firm["id"]) == 40
    # The firm's own, besides those the benchmark logs to acknowledge when a small firm has
    # too few waiting.
    generated = Referral.count().where(Referral.firm == firm["id"], Referral.client_name != "New")
    assert await generated == 300
    changes = await ReferralStageChange.count().where(ReferralStageChange.firm == firm["id"])
    assert changes >= 300  # every referral has its first stage, most have more
    assert await Licence.count().where(Licence.firm == firm["id"]) > 0
    assert [f.name.strip() for f in figures] == [
        "dashboard API, after a logged call",
        "dashboard API, after a stage change",
        "briefing, after a stage change",
        "metrics, after a stage change",
        "dashboard API, nothing changed",
        "dashboard page",
        "partner list page",
        "partner list API",
        "health of every partner",
    ]
    assert all(len(f.runs) == (1 if "health" in f.name else 2) for f in figures)
    assert all(f.p95 >= f.p50 > 0 for f in figures)
