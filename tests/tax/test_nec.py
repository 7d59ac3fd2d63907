import datetime as dt

from rapport_core.tax import rules
from rapport_core.tax.nec import Status, backup_withholding_for, w9_reminders, year_summary

from tests.tax.helpers import paid, partner, w9_on_file


def by_name(payees):
    return {p.name: p for p in payees}


async def test_thresholds_come_from_the_dated_table():
    assert rules.nec_threshold_cents(2025) == 60000
    assert rules.nec_threshold_cents(2026) == 200000
    assert rules.backup_withholding_cents(100001, dt.date(2026, 3, 1)) == 24000  # half up


async def test_box1_nets_reversals_and_box4_adds_withholding(firm):
    pid = await partner(firm)
    await w9_on_file(firm, pid)
    await paid(firm, pid, 150000, dt.date(2026, 2, 1))
    await paid(firm, pid, 80000, dt.date(2026, 6, 1), withheld=19200)
    await paid(firm, pid, -30000, dt.date(2026, 7, 1))  # a reversal
    await paid(firm, pid, 999900, dt.date(2025, 12, 31))  # another year
    await paid(firm, pid, 50000, dt.date(2026, 8, 1), status="approved")  # not paid yet
    payee = (await year_summary(firm.actor(), 2026))[0]
    assert (payee.box1_cents, payee.box4_cents, payee.pending_cents) == (200000, 19200, 50000)
    assert payee.status is Status.reportable


async def test_the_threshold_depends_on_the_year(firm):
    pid = await partner(firm)
    await w9_on_file(firm, pid)
    await paid(firm, pid, 100000, dt.date(2025, 5, 1))
    await paid(firm, pid, 100000, dt.date(2026, 5, 1))
    assert (await year_summary(firm.actor(), 2025))[0].status is Status.reportable  # $600
    assert (await year_summary(firm.actor(), 2026))[0].status is Status.approaching  # $2,000


async def test_corporations_are_excluded_but_incorporated_attorneys_are_not(firm):
    cpa = await partner(firm, "Corp CPA", "cpa")
    lawyer = await partner(firm, "Law PC", "attorney")
    llc = await partner(firm, "Taxed As S LLC", "financial_advisor")
    await w9_on_file(firm, cpa, classification="c_corporation", tin_type="ein", tin="12-3456789")
    await w9_on_file(firm, lawyer, classification="s_corporation", tin_type="ein", tin="12-3456780")
    await w9_on_file(
        firm, llc, classification="llc", llc_tax_class="S", tin_type="ein", tin="12-3456781"
    )
    for pid in (cpa, lawyer, llc):
        await paid(firm, pid, 500000, dt.date(2026, 3, 1))
    payees = by_name(await year_summary(firm.actor(), 2026))
    assert payees["Corp CPA"].status is Status.excluded
    assert payees["Taxed As S LLC"].status is Status.excluded
    assert payees["Law PC"].status is Status.reportable
    assert "attorney" in payees["Law PC"].reasons[0]


async def test_withholding_makes_any_amount_reportable(firm):
    pid = await partner(firm)
    await paid(firm, pid, 10000, dt.date(2026, 3, 1), withheld=2400)
    assert (await year_summary(firm.actor(), 2026))[0].status is Status.reportable


async def test_reminders_list_partners_without_a_w9_near_the_threshold(firm):
    near = await partner(firm, "Near Threshold")
    far = await partner(firm, "Far Below")
    filed = await partner(firm, "Has W9")
    await w9_on_file(firm, filed)
    await paid(firm, near, 90000, dt.date(2026, 3, 1))
    await paid(firm, near, 20000, dt.date(2026, 4, 1), status="pending")
    await paid(firm, far, 10000, dt.date(2026, 3, 1))
    await paid(firm, filed, 300000, dt.date(2026, 3, 1))
    reminders = await w9_reminders(firm.actor(), 2026)
    assert [p.name for p in reminders] == ["Near Threshold"]
    assert reminders[0].backup_withholding_due


async def test_backup_withholding_applies_only_without_a_tin(firm):
    without = await partner(firm, "No TIN")
    with_tin = await partner(firm, "Has TIN")
    await w9_on_file(firm, with_tin)
    day = dt.date(2026, 3, 1)
    assert await backup_withholding_for(firm.id, without, 250000, day) == 60000
    assert await backup_withholding_for(firm.id, with_tin, 250000, day) == 0


async def test_another_firms_payouts_do_not_count(firm, other_firm):
    pid = await partner(other_firm)
    await paid(other_firm, pid, 500000, dt.date(2026, 3, 1))
    assert await year_summary(firm.actor(), 2026) == []
