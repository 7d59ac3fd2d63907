"""The home page: a short overview of the firm's referral activity."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from litestar import get
from litestar.di import NamedDependency
from litestar.response import Template
from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.schemas import PartnerSearch, ReferralFilter
from rapport_core.services import partners, referrals
from rapport_core.vocabulary import Direction

from rapport_server.ui.format import open_stages
from rapport_server.ui.rendering import SignedIn, render

LATEST = 10


async def _referral_count(actor: Actor, **filters: object) -> int:
    page = await referrals.list_referrals(actor, ReferralFilter(per_page=1, **filters))
    return page.total


async def referrals_since(actor: Actor, start: dt.datetime) -> Counter[Direction]:
    """Referrals per direction referred at or after ``start``. The service lists newest first
    and has no date filter, so read pages until one reaches back before ``start``."""
    counts: Counter[Direction] = Counter()
    page = 1
    while True:
        result = await referrals.list_referrals(actor, ReferralFilter(page=page, per_page=200))
        recent = [r for r in result.items if r.referred_at >= start]
        counts.update(r.direction for r in recent)
        if len(recent) < len(result.items) or page * result.per_page >= result.total:
            return counts
        page += 1


@get("/")
async def home(me: NamedDependency[SignedIn]) -> Template:
    year_start = now().replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    this_year = await referrals_since(me.actor, year_start)
    partner_total = await partners.search_partners(me.actor, PartnerSearch(per_page=1))
    open_total = 0
    for stage in open_stages():
        open_total += await _referral_count(me.actor, stage=stage)
    latest = await referrals.list_referrals(me.actor, ReferralFilter(per_page=LATEST))
    return render(
        "home.html",
        me,
        year=year_start.year,
        partner_count=partner_total.total,
        received_count=this_year[Direction.received],
        sent_count=this_year[Direction.sent],
        open_count=open_total,
        latest=latest.items,
    )
