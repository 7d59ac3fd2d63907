"""The demo firm: a Tampa estate-planning practice with two years of referral history.

Everything is created through the services, so the audit log records the load like any other
change. The data is deterministic for a given ``seed`` and ``today``. ``rapport demo load`` and
``rapport serve --demo`` call :func:`load_demo`; loading an existing demo firm changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from rapport_core.actors import Actor
from rapport_core.agreements.demo import load_agreements
from rapport_core.clock import now
from rapport_core.compliance.demo import load_compliance_demo
from rapport_core.money.demo import load_money_demo
from rapport_core.schemas import (
    ActivityCreate,
    FirmCreate,
    LicenceCreate,
    PartnerCreate,
    ReferralCreate,
    StageChangeIn,
    UserCreate,
)
from rapport_core.services.common import transaction
from rapport_core.services.firms import create_firm, create_user, firm_by_slug, list_users
from rapport_core.services.partners import add_licence, create_partner, log_activity
from rapport_core.services.referrals import change_stage, create_referral
from rapport_core.tables import Activity, Firm, MessageDraft, Partner, Referral
from rapport_core.tax.demo import load_1099_demo, load_w9_demo
from rapport_core.vocabulary import (
    ActivityKind,
    DeclineReason,
    Direction,
    LicenceStatus,
    Profession,
    Role,
    Stage,
)

DEMO_PASSWORD = "rapport-demo"

HISTORY_DAYS = 730
REFERRAL_COUNT = 200
ACTIVITY_COUNT = 150
RECEIVED_SHARE = 0.55
UNKNOWN_SOURCE_SHARE = 0.05  # of received referrals
ACTUAL_VALUE_SHARE = 0.8  # of engaged referrals
# Referrals left open part-way, so the follow-up views have some stale ones to show; only
# recent ones, as a firm tidies up older loose ends.
STALL_SHARE = 0.06
STALL_WITHIN_DAYS = 90
# Partner updates for stage changes in the last few days still wait for approval.
PENDING_DRAFT_DAYS = 4

# ------------------------------------------------------------------------ the firm

FIRM = {
    "name": "Harbor & Pine Estate Law",
    "professions": ["attorney"],
    "jurisdictions": ["FL", "TX"],
    "home_city": "Tampa",
    "home_state": "FL",
    "home_latitude": 27.9506,
    "home_longitude": -82.4572,
    "ideal_client_profile": (
        "Families and business owners in Florida and Texas with estates of $1–10 million who "
        "want one coordinated plan: revocable trusts, tax-aware gifting, business succession, "
        "and protection for a family member with special needs. Typically 45–75, usually "
        "already working with a CPA and a financial advisor, often owning real estate in more "
        "than one state."
    ),
}

#: Each user signs in as <role>@<slug>.example with DEMO_PASSWORD.
USERS = (
    (Role.owner, "Dana Whitfield"),
    (Role.admin, "Marcus Bell"),
    (Role.compliance, "Priya Raman"),
    (Role.member, "Caleb Ortiz"),
    (Role.viewer, "Jordan Reyes"),
)
#: The firm's lawyers, who own partner relationships and matters.
ATTORNEYS = (Role.owner, Role.member)

# ------------------------------------------------------------------------ places


class City(NamedTuple):
    state: str
    latitude: float
    longitude: float
    area_code: str
    postal_code: str
    street: str


CITIES = {
    "Tampa": City("FL", 27.9506, -82.4572, "813", "33602", "N Ashley Dr"),
    "St. Petersburg": City("FL", 27.7676, -82.6403, "727", "33701", "Central Ave"),
    "Clearwater": City("FL", 27.9659, -82.8001, "727", "33756", "Cleveland St"),
    "Sarasota": City("FL", 27.3364, -82.5307, "941", "34236", "Main St"),
    "Orlando": City("FL", 28.5384, -81.3789, "407", "32801", "S Orange Ave"),
    "Miami": City("FL", 25.7617, -80.1918, "305", "33131", "Brickell Ave"),
    "Naples": City("FL", 26.1420, -81.7948, "239", "34102", "5th Ave S"),
    "Austin": City("TX", 30.2672, -97.7431, "512", "78701", "Congress Ave"),
    "Houston": City("TX", 29.7604, -95.3698, "713", "77002", "Louisiana St"),
    "Dallas": City("TX", 32.7767, -96.7970, "214", "75201", "McKinney Ave"),
    "San Antonio": City("TX", 29.4241, -98.4936, "210", "78205", "Broadway"),
    "San Diego": City("CA", 32.7157, -117.1611, "619", "92101", "B St"),
}

# ------------------------------------------------------------------------ matters


class Matter(NamedTuple):
    name: str
    low: int  # estimated value range, whole dollars
    high: int
    client: str = "person"  # person, family, estate or business: how the client is named
    weight: int = 1
    description: str = ""


#: What partners refer to the firm.
RECEIVED_MATTERS = (
    Matter("Revocable living trust", 3500, 7500, "family", 14,
           "Married couple with adult children and a second home; want to avoid probate in two states."),
    Matter("Will and powers of attorney", 1200, 3000, "person", 10,
           "Recently widowed; needs a new will, durable power of attorney and health care surrogate."),
    Matter("Probate administration", 6000, 30000, "estate", 8,
           "Decedent left a will but no trust; Florida homestead and a brokerage account."),
    Matter("Trust administration", 5000, 25000, "estate", 6,
           "Successor trustee needs help funding the sub-trusts and filing final returns."),
    Matter("Special needs trust", 4000, 9000, "family", 4,
           "Parents of an adult son on SSI and Medicaid want a supplemental needs trust."),
    Matter("Business succession plan", 15000, 60000, "business", 5,
           "Founder plans to hand the company to two children over five years; needs buy-sell terms."),
    Matter("Medicaid planning", 5000, 12000, "person", 5,
           "Spouse moving to memory care; family asking about a qualified income trust."),
    Matter("Guardianship", 4000, 15000, "person", 3,
           "Daughter seeks guardianship of a father with advanced dementia and no powers of attorney."),
    Matter("Estate tax planning", 10000, 40000, "family", 4,
           "Estate close to the federal exemption; considering lifetime gifts and a SLAT."),
    Matter("Asset protection trust", 8000, 25000, "family", 3,
           "Surgeon worried about liability exposure; wants to review how assets are titled."),
    Matter("Irrevocable life insurance trust", 4000, 8000, "family", 3,
           "New survivorship policy should be owned outside the taxable estate."),
    Matter("Charitable remainder trust", 6000, 15000, "family", 2,
           "Selling appreciated land; wants lifetime income and a gift to their church."),
)  # fmt: skip

# ------------------------------------------------------------------------ kinds of partner


@dataclass(frozen=True)
class Kind:
    """What a partner does, and which matters the firm sends them."""

    profession: Profession
    specialties: tuple[str, ...]
    sent_matters: tuple[Matter, ...]
    licence: str | None = None  # the licence the demo records for them, if any


CPA = Kind(
    Profession.cpa,
    ("Trust and estate tax", "Fiduciary income tax (Form 1041)", "Estate tax returns (Form 706)",
     "Closely held businesses", "Business valuation", "Tax planning for retirees"),
    (Matter("Tax planning", 2000, 10000), Matter("Estate tax return (Form 706)", 5000, 20000),
     Matter("Fiduciary income tax return", 1500, 5000)),
    "Certified public accountant",
)  # fmt: skip
ADVISOR = Kind(
    Profession.financial_advisor,
    ("Retirement income planning", "Fee-only wealth management", "Business owner exit planning",
     "Charitable giving", "Trust asset management", "Special needs financial planning"),
    (Matter("Wealth management", 10000, 60000), Matter("Retirement income planning", 3000, 12000)),
    "FINRA Series 65 investment adviser representative",
)  # fmt: skip
BROKER = Kind(
    Profession.broker_dealer,
    ("Brokerage accounts", "Municipal bonds", "Concentrated stock positions", "Annuities",
     "529 college savings plans"),
    (Matter("Investment account consolidation", 3000, 20000),),
    "FINRA Series 7 registered representative",
)  # fmt: skip
LIFE_AGENT = Kind(
    Profession.insurance_agent,
    ("Survivorship life insurance", "ILIT policy funding", "Long-term care insurance",
     "Buy-sell agreement funding", "Key person insurance", "Annuities"),
    (Matter("Life insurance review", 2000, 15000), Matter("Long-term care insurance", 1500, 6000)),
    "Life, health and annuity insurance producer",
)  # fmt: skip
ELDER_LAW = Kind(
    Profession.attorney,
    ("Medicaid planning", "Guardianship", "VA benefits", "Nursing home admissions",
     "Elder abuse litigation"),
    (Matter("Contested guardianship", 8000, 30000), Matter("VA benefits application", 2000, 6000)),
    "State bar licence",
)  # fmt: skip
FAMILY_LAW = Kind(
    Profession.attorney,
    ("Divorce", "Prenuptial and postnuptial agreements", "Collaborative divorce", "Child custody",
     "Adoption"),
    (Matter("Divorce", 10000, 40000), Matter("Prenuptial agreement", 3000, 8000)),
    "State bar licence",
)  # fmt: skip
BUSINESS_LAW = Kind(
    Profession.attorney,
    ("Entity formation", "Mergers and acquisitions", "Buy-sell agreements", "Commercial contracts",
     "Business succession"),
    (Matter("Business sale", 15000, 60000, "business"),
     Matter("Entity formation", 1500, 5000, "business")),
    "State bar licence",
)  # fmt: skip
# Clients' property in California needs a California probate (ancillary administration).
ANCILLARY_PROBATE = Matter(
    "Ancillary probate (California)", 4000, 12000, "estate",
    description="Florida estate with a rental condo in San Diego; California probate for the condo.",
)  # fmt: skip
CALIFORNIA_PROBATE = Kind(
    Profession.attorney,
    ("Probate", "Ancillary administration", "Trust administration"),
    (ANCILLARY_PROBATE,),
    "State bar licence",
)
REALTOR = Kind(
    Profession.real_estate_agent,
    ("Probate and estate sales", "Senior relocation", "Waterfront homes", "Investment properties",
     "Out-of-state sellers"),
    (Matter("Real estate closing", 8000, 30000), Matter("Probate property sale", 10000, 35000)),
    "Real estate sales associate",
)  # fmt: skip
LENDER = Kind(
    Profession.mortgage_lender,
    ("Reverse mortgages (HECM)", "Jumbo loans", "Lending to trusts", "Refinancing",
     "Self-employed borrowers"),
    (Matter("Reverse mortgage", 3000, 9000), Matter("Mortgage refinance", 2000, 7000)),
    "NMLS mortgage loan originator",
)  # fmt: skip
FIDUCIARY = Kind(
    Profession.other,
    ("Professional trustee services", "Trust administration", "Daily money management"),
    (Matter("Successor trustee appointment", 5000, 25000),),
)
CARE_MANAGER = Kind(
    Profession.other,
    ("Geriatric care management", "Care transitions", "Dementia care planning"),
    (Matter("Care needs assessment", 800, 3000),),
)
APPRAISER = Kind(
    Profession.other,
    ("Date-of-death appraisals", "Residential real property", "Fine art and collectibles"),
    (Matter("Date-of-death appraisal", 500, 2500),),
    "Certified residential appraiser",
)

# ------------------------------------------------------------------------ how partners behave


@dataclass(frozen=True)
class Profile:
    """How a partner behaves over the two years of history."""

    referral_weight: float  # relative chance of being the partner on any one referral
    activity_weight: float
    sends_to_us: bool  # appears on received referrals
    takes_from_us: bool  # appears on sent referrals
    newest: int = 0  # days ago: the window in which they refer and are met
    oldest: int = HISTORY_DAYS
    cadence: int | None = None  # review cadence, days
    tag: str | None = None

    def active(self, days_ago: int) -> bool:
        return self.newest <= days_ago <= self.oldest


CORE = Profile(10, 6, sends_to_us=True, takes_from_us=True, cadence=30, tag="core")
REGULAR = Profile(3, 2, sends_to_us=True, takes_from_us=True, cadence=60)
FEEDER = Profile(4, 1.5, sends_to_us=True, takes_from_us=False, cadence=60)
RECEIVER = Profile(4, 1.5, sends_to_us=False, takes_from_us=True, cadence=90)
# A lawyer the firm sends a steady flow of matters to, dividing the fee.
CO_COUNSEL = Profile(10, 2, sends_to_us=False, takes_from_us=True, cadence=60)
# Busy once, quiet for the last nine months: even their last stage changes are more than
# six months old.
DORMANT = Profile(
    5, 1.5, sends_to_us=True, takes_from_us=True, newest=270, cadence=90, tag="reconnect"
)
NEW = Profile(3, 3, sends_to_us=True, takes_from_us=True, oldest=120, cadence=45, tag="new")
# Takes the odd California matter (see _ancillary_probate); never drawn for other referrals.
OCCASIONAL = Profile(0, 0.5, sends_to_us=False, takes_from_us=False, cadence=180)
PROSPECT = Profile(
    0, 2, sends_to_us=False, takes_from_us=False, oldest=60, cadence=30, tag="prospect"
)

NETWORK_TAGS = ("estate-planning-council", "provisors", "bni", "chamber", "seminar-partner", "golf")

# ------------------------------------------------------------------------ the partners


class PartnerSeed(NamedTuple):
    name: str
    organisation: str
    kind: Kind
    city: str
    profile: Profile
    licence_days: int | None  # days from today until their licence expires; None: none recorded
    notes: str = ""


PARTNERS = (
    PartnerSeed("Nadia Okafor", "Pelican Point CPAs", CPA, "Tampa", CORE, 410,
                "Co-presents our year-end tax and estate seminar every November."),
    PartnerSeed("Graham Whitaker", "Whitaker Lane Wealth Partners", ADVISOR, "Tampa", CORE, 38,
                "Sends most of our business-owner clients; prefers a joint first meeting."),
    PartnerSeed("Lucia Ferreira", "Sunbridge Life & Legacy", LIFE_AGENT, "St. Petersburg", CORE, 620,
                "Go-to for survivorship policies funding ILITs."),
    PartnerSeed("Theo Marchetti", "Marchetti Realty Group", REALTOR, "Sarasota", CORE, 290,
                "Handles most of our probate home sales."),
    PartnerSeed("Rebecca Hollis", "Hollis & Tran CPAs", CPA, "Orlando", REGULAR, 512),
    PartnerSeed("Samuel Adeyemi", "Cypress Ridge Financial", ADVISOR, "Orlando", REGULAR, 25),
    PartnerSeed("Marisol Vega", "Vega Elder Law", ELDER_LAW, "Miami", CORE, 700,
                "Refers estate plans to us; we send her contested guardianships."),
    PartnerSeed("Owen Prescott", "Prescott Business Law", BUSINESS_LAW, "Tampa", CORE, 455,
                "Sends founders for succession plans; we divide the fee on joint responsibility."),
    PartnerSeed("Hannah Lindqvist", "Seagrape Family Law", FAMILY_LAW, "Clearwater", CORE, 380,
                "Sends clients for post-divorce estate plan updates."),
    PartnerSeed("Derek Caldwell", "Lone Oak Wealth Advisors", ADVISOR, "Austin", REGULAR, 300),
    PartnerSeed("Priscilla Nguyen", "Bluebonnet Tax Group", CPA, "Houston", REGULAR, 150),
    PartnerSeed("Javier Montoya", "Alamo Heights Insurance Services", LIFE_AGENT, "San Antonio",
                REGULAR, 12),
    PartnerSeed("Claire Donovan", "Tidewater Trust Company", FIDUCIARY, "Tampa", REGULAR, None,
                "Corporate trustee for our larger trusts."),
    PartnerSeed("Ethan Brooks", "Keystone Home Lending", LENDER, "Tampa", REGULAR, 240,
                "Reverse mortgages for clients ageing in place."),
    PartnerSeed("Aisha Rahman", "Trinity Street Advisors", ADVISOR, "Dallas", REGULAR, 610),
    PartnerSeed("Walter Kim", "Brazos Business Counsel", BUSINESS_LAW, "Houston", REGULAR, 530),
    PartnerSeed("Monica Albright", "Albright Senior Care Advisors", CARE_MANAGER, "Sarasota",
                FEEDER, None, "Refers families who need Medicaid planning."),
    PartnerSeed("Curtis Fenwick", "Harborview Securities", BROKER, "St. Petersburg", FEEDER, 460),
    PartnerSeed("Rosa Delgado", "Delgado Accounting", CPA, "Miami", FEEDER, -21,
                "Her CPA licence lapsed; confirm the renewal before relying on her work."),
    PartnerSeed("Benjamin Archer", "Archer Family Law", FAMILY_LAW, "Austin", FEEDER, 720),
    PartnerSeed("Yvonne Castellanos", "Magnolia Insurance Partners", LIFE_AGENT, "Dallas", FEEDER, 330),
    PartnerSeed("Gregory Sutton", "Sutton Realty", REALTOR, "Orlando", FEEDER, 200),
    PartnerSeed("Felicia Moreau", "Moreau Appraisal Services", APPRAISER, "Tampa", RECEIVER, 390,
                "Date-of-death appraisals with a fast turnaround."),
    PartnerSeed("Isaac Goldfarb", "Goldfarb Private Wealth", ADVISOR, "Miami", RECEIVER, 270),
    PartnerSeed("Tamara Jessup", "Coastal Divorce Partners", FAMILY_LAW, "Tampa", CO_COUNSEL, 580,
                "Takes our clients' divorces; pays us a share on joint responsibility."),
    PartnerSeed("Raymond Ochoa", "Riverwalk Mortgage Co.", LENDER, "San Antonio", RECEIVER, 160),
    PartnerSeed("Kendra Wallace", "Wallace Tax & Advisory", CPA, "Dallas", RECEIVER, 640),
    PartnerSeed("Paul Henning", "Henning Realty", REALTOR, "Austin", RECEIVER, 33),
    PartnerSeed("Victor Salazar", "Salazar Insurance Group", LIFE_AGENT, "Miami", DORMANT, 480,
                "Moved to a new agency; worth reconnecting."),
    PartnerSeed("Meredith Clay", "Clay & Associates CPA", CPA, "Sarasota", DORMANT, 350),
    PartnerSeed("Anthony Russo", "Russo Elder Law", ELDER_LAW, "Orlando", DORMANT, -30,
                "His bar licence lapsed last month; check his status before sending anyone."),
    PartnerSeed("Lydia Park", "Banyan Financial Planning", ADVISOR, "St. Petersburg", DORMANT, 205),
    PartnerSeed("Franklin Osei", "Gulfstream Securities", BROKER, "Houston", DORMANT, 440),
    PartnerSeed("Denise Whitmore", "Whitmore Realty Partners", REALTOR, "Dallas", DORMANT, None),
    PartnerSeed("Sophie Laurent", "Laurent Wealth Strategies", ADVISOR, "Sarasota", NEW, 690,
                "Met at the estate planning council luncheon."),
    PartnerSeed("Martin Greene", "Greene Business Law", BUSINESS_LAW, "Austin", NEW, 600),
    PartnerSeed("Elena Petrova", "Bayfront Home Loans", LENDER, "St. Petersburg", NEW, 410),
    PartnerSeed("Omar Haddad", "Haddad CPA", CPA, "San Antonio", NEW, 520),
    PartnerSeed("Grace Abernathy", "Gulfshore Fiduciary Services", FIDUCIARY, "Naples", PROSPECT, None,
                "Introduced by Nadia Okafor; lunch booked."),
    PartnerSeed("Dmitri Volkov", "Hill Country Care Navigators", CARE_MANAGER, "Austin", PROSPECT,
                None),
    PartnerSeed("Catherine Wu", "Wu Probate & Trust", CALIFORNIA_PROBATE, "San Diego", OCCASIONAL,
                500, "Handles California probates for clients' property there."),
)  # fmt: skip

# ------------------------------------------------------------------------ clients

FIRST_NAMES = (
    "Robert", "Linda", "James", "Patricia", "Michael", "Barbara", "David", "Susan", "Carlos",
    "Maria", "William", "Karen", "Daniel", "Nancy", "Luis", "Angela", "Thomas", "Diane", "Kevin",
    "Teresa", "Andre", "Monique", "Steven", "Janet", "Hector", "Gloria", "Richard", "Elaine",
    "Wei", "Mei",
)  # fmt: skip
LAST_NAMES = (
    "Castillo", "Brennan", "Hargrove", "Patel", "Moreno", "Sullivan", "Fitzgerald", "Okonkwo",
    "Lindgren", "Ramirez", "Chen", "Abbott", "Delacroix", "Hughes", "Navarro", "Pierce",
    "Kowalski", "Yamamoto", "Baptiste", "Gallagher", "Serrano", "Whitcomb", "Ingram", "Duarte",
    "Holloway", "Mercer", "Quintero", "Stanton", "Vaughn", "Zimmerman",
)  # fmt: skip
COMPANIES = (
    "Marine Supply", "Roofing", "Dental Group", "Logistics", "Landscaping", "Citrus Groves",
    "HVAC Services", "Auto Group", "Builders", "Veterinary Clinic",
)  # fmt: skip

# ------------------------------------------------------------------------ stages

#: Days from one stage to the next (uniformly within the range).
GAP_DAYS = {
    Stage.acknowledged: (0.1, 3),
    Stage.contacted: (1, 10),
    Stage.qualified: (3, 21),
    Stage.accepted: (1, 14),
    Stage.engaged: (5, 45),
    Stage.declined: (1, 30),
    Stage.lost: (14, 90),
}
#: Why received referrals were declined: each note with the reason code it records.
DECLINE_REASONS = {
    "Conflict of interest found in the conflict check.": DeclineReason.conflict,
    "Outside our practice area; suggested another firm.": DeclineReason.bad_fit,
    "Too small for a full engagement; sent a will checklist instead.": DeclineReason.bad_fit,
    "Referrer sent no way to reach the client.": DeclineReason.incomplete,
}
STAGE_NOTES = {
    (Direction.received, Stage.acknowledged): ("Thanked the referrer; intake call booked.",),
    (Direction.received, Stage.engaged): (
        "Engagement letter signed.",
        "Retainer received; drafting under way.",
    ),
    (Direction.received, Stage.declined): tuple(DECLINE_REASONS),
    (Direction.received, Stage.lost): (
        "Client stopped responding after the consultation.",
        "Client chose an online will service.",
        "Client hired a firm closer to home.",
    ),
    (Direction.sent, Stage.accepted): ("Partner met the client.",),
    (Direction.sent, Stage.engaged): ("Partner confirmed the engagement.",),
    (Direction.sent, Stage.declined): (
        "Partner at capacity this season.",
        "Client kept their existing advisor.",
        "Below the partner's account minimum.",
    ),
}


# ------------------------------------------------------------------------ activities

ACTIVITY_WEIGHTS = {
    ActivityKind.meeting: 3,
    ActivityKind.call: 3,
    ActivityKind.email: 3,
    ActivityKind.event: 1,
    ActivityKind.note: 1,
}
ACTIVITY_SUMMARIES = {
    ActivityKind.meeting: (
        "Lunch to review recent referrals and upcoming client needs.",
        "Coffee; talked through {topic}.",
        "Visited their office to walk the team through {topic}.",
        "Quarterly relationship review.",
    ),
    ActivityKind.call: (
        "Check-in call about a shared client.",
        "Call to compare notes on {topic}.",
        "Follow-up call after a referral closed.",
    ),
    ActivityKind.email: (
        "Sent our client letter on {topic}.",
        "Thank-you note for a recent referral.",
        "Invited them to our spring seminar.",
    ),
    ActivityKind.event: (
        "Co-hosted a client seminar on {topic}.",
        "Estate planning council luncheon.",
        "Chamber of commerce networking breakfast.",
    ),
    ActivityKind.note: (
        "Prefers referrals by phone rather than email.",
        "Ask about {topic} at the next meeting.",
        "A new associate joined their office; introduce them to Caleb.",
    ),
}
TOPICS = (
    "the estate tax exemption",
    "the Medicaid look-back period",
    "special needs trusts",
    "business succession",
    "trust funding checklists",
    "digital assets in estate plans",
    "beneficiary designation reviews",
    "Florida homestead rules",
)


# ------------------------------------------------------------------------ loading


class DemoPartner(NamedTuple):
    """A partner as created: its id, and the row of PARTNERS it came from."""

    id: int
    seed: PartnerSeed


async def load_demo(*, slug: str = "demo", seed: int = 7, today: dt.date) -> dict:
    """Create the demo firm ``slug`` unless it exists; either way, summarise what is there."""
    created = not await Firm.exists().where(Firm.slug == slug)
    if created:
        # All or nothing: a half-built firm would count as loaded and never be completed.
        # One transaction is also about twice as fast on SQLite as a commit per change.
        async with transaction():
            await _build(slug, random.Random(seed), today)
    return await _summary(slug, created=created)


async def _build(slug: str, rng: random.Random, today: dt.date) -> None:
    firm = await create_firm(FirmCreate(slug=slug, **FIRM), actor_label="demo")
    actor = Actor(firm_id=firm.id, label="demo", role=Role.owner)
    user_ids = await _create_users(actor, slug)
    partners = [
        await _create_partner(actor, rng, number, seed, user_ids, today)
        for number, seed in enumerate(PARTNERS)
    ]
    # Stage changes planned for `today` or later have not happened yet. Cutting off at the
    # start of `today` rather than now makes the data depend on `seed` and `today` alone.
    horizon = min(now(), dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC))
    plans = [_plan_referral(rng, partners, user_ids, today, horizon) for _ in range(REFERRAL_COUNT)]
    for plan in sorted(plans, key=lambda plan: plan.create.referred_at):
        await _write_referral(actor, plan)
    await _write_referral(actor, _ancillary_probate(partners, user_ids, horizon))
    await _settle_old_drafts(firm.id, horizon - dt.timedelta(days=PENDING_DRAFT_DAYS))
    await _log_duplicate(actor, horizon)
    activities = [_plan_activity(rng, partners, today) for _ in range(ACTIVITY_COUNT)]
    for activity in sorted(activities, key=lambda activity: activity.occurred_on):
        await log_activity(actor, activity)
    await load_w9_demo(actor, today)
    await load_agreements(actor, firm.name, today)
    await load_money_demo(actor, today)
    await load_1099_demo(actor, today)
    await load_compliance_demo(actor, today)


async def _summary(slug: str, *, created: bool) -> dict:
    firm = await firm_by_slug(slug)
    users = await list_users(Actor(firm_id=firm.id, label="demo", role=Role.owner))

    async def count(table: type[Partner | Referral | Activity]) -> int:
        return await table.count().where(table.firm == firm.id)

    return {
        "firm": slug,
        "created": created,
        "partners": await count(Partner),
        "referrals": await count(Referral),
        "activities": await count(Activity),
        "users": [user.email for user in users],
        "sign_in": next((user.email for user in users if user.role == Role.owner), None),
    }


async def _create_users(actor: Actor, slug: str) -> dict[Role, int]:
    ids = {}
    for role, name in USERS:
        user = await create_user(
            actor,
            UserCreate(
                email=f"{role}@{slug}.example", name=name, role=role, password=DEMO_PASSWORD
            ),
        )
        ids[role] = user.id
    return ids


async def _create_partner(
    actor: Actor,
    rng: random.Random,
    number: int,
    seed: PartnerSeed,
    user_ids: dict[Role, int],
    today: dt.date,
) -> DemoPartner:
    city, profile = CITIES[seed.city], seed.profile
    partner = await create_partner(
        actor,
        PartnerCreate(
            name=seed.name,
            organisation=seed.organisation,
            profession=seed.kind.profession,
            specialties=rng.sample(seed.kind.specialties, rng.randint(2, 3)),
            email=seed.name.lower().replace(" ", ".") + "@example.com",
            phone=f"({city.area_code}) 555-{100 + number:04d}",  # 555-01xx: reserved for fiction
            address=f"{rng.randrange(100, 3000)} {city.street}, Suite {rng.randrange(1, 10)}00",
            city=seed.city,
            state=city.state,
            postal_code=city.postal_code,
            # Offices spread around the city centre, so map pins do not sit on one another.
            latitude=round(city.latitude + rng.uniform(-0.05, 0.05), 4),
            longitude=round(city.longitude + rng.uniform(-0.05, 0.05), 4),
            tags=[
                tag for tag in (profile.tag, *rng.sample(NETWORK_TAGS, rng.randint(0, 2))) if tag
            ],
            notes=seed.notes,
            review_cadence_days=profile.cadence,
            owner_id=user_ids[Role.owner if profile is CORE else rng.choice(ATTORNEYS)],
        ),
    )
    if seed.licence_days is not None:
        await add_licence(actor, partner.id, _licence(rng, seed, today))
    return DemoPartner(partner.id, seed)


def _licence(rng: random.Random, seed: PartnerSeed, today: dt.date) -> LicenceCreate:
    expires_on = today + dt.timedelta(days=seed.licence_days)
    return LicenceCreate(
        kind=seed.kind.licence,
        jurisdiction=CITIES[seed.city].state,
        number=str(rng.randrange(1_000_000, 10_000_000)),
        status=LicenceStatus.expired if expires_on < today else LicenceStatus.active,
        expires_on=expires_on,
    )


# ------------------------------------------------------------------------ referrals


class Step(NamedTuple):
    stage: Stage
    at: dt.datetime
    note: str


@dataclass(frozen=True)
class ReferralPlan:
    create: ReferralCreate
    steps: list[Step]  # stage changes after the first stage, oldest first
    actual_value: Decimal | None


def _plan_referral(
    rng: random.Random,
    partners: list[DemoPartner],
    user_ids: dict[Role, int],
    today: dt.date,
    horizon: dt.datetime,
) -> ReferralPlan:
    direction = Direction.received if rng.random() < RECEIVED_SHARE else Direction.sent
    # Skewed towards recent days: the practice is growing.
    days_ago = 1 + int((HISTORY_DAYS - 1) * rng.random() ** 1.3)
    partner = None
    if direction is Direction.sent or rng.random() >= UNKNOWN_SOURCE_SHARE:
        partner = _pick_partner(rng, partners, days_ago, _referral_weight(direction))
    if direction is Direction.received:
        matter = rng.choices(RECEIVED_MATTERS, [m.weight for m in RECEIVED_MATTERS])[0]
    else:
        matter = rng.choice(partner.seed.kind.sent_matters)
    city = CITIES[partner.seed.city if partner else FIRM["home_city"]]
    client = _client(rng, matter.client, city.area_code)
    estimate = round(rng.uniform(matter.low, matter.high) / 100) * 100
    referred_at = _working_hours(rng, today - dt.timedelta(days=days_ago))
    steps = _plan_steps(rng, direction, referred_at, horizon)
    # Drawn for every referral, engaged or not, so later draws do not depend on the horizon.
    actual = round(estimate * rng.uniform(0.6, 1.3) / 50) * 50
    settled = rng.random() < ACTUAL_VALUE_SHARE
    engaged = bool(steps) and steps[-1].stage is Stage.engaged
    return ReferralPlan(
        create=ReferralCreate(
            direction=direction,
            partner_id=partner.id if partner else None,
            client_name=client.name,
            client_company=client.company,
            client_email=client.email,
            client_phone=client.phone,
            matter_type=matter.name,
            description=matter.description if rng.random() < 0.6 else "",
            estimated_value=Decimal(estimate) if rng.random() < 0.9 else None,
            jurisdiction=city.state,
            owner_id=user_ids[rng.choice(ATTORNEYS)],
            referred_at=referred_at,
        ),
        steps=steps,
        actual_value=Decimal(actual) if engaged and settled else None,
    )


def _referral_weight(direction: Direction) -> Callable[[Profile], float]:
    if direction is Direction.received:
        return lambda profile: profile.referral_weight if profile.sends_to_us else 0
    return lambda profile: profile.referral_weight if profile.takes_from_us else 0


def _pick_partner(
    rng: random.Random,
    partners: list[DemoPartner],
    days_ago: int,
    weight: Callable[[Profile], float],
) -> DemoPartner:
    """A partner active ``days_ago``, chosen in proportion to ``weight`` of their profile."""
    candidates = [p for p in partners if p.seed.profile.active(days_ago) and weight(p.seed.profile)]
    return rng.choices(candidates, [weight(p.seed.profile) for p in candidates])[0]


class Client(NamedTuple):
    name: str
    company: str
    email: str | None
    phone: str | None


def _client(rng: random.Random, kind: str, area_code: str) -> Client:
    """A client named to suit the matter (see Matter.client); some leave an email or phone."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    spouse = rng.choice([name for name in FIRST_NAMES if name != first])
    names = {"family": f"{first} and {spouse} {last}", "estate": f"Estate of {first} {last}"}
    company = f"{last} {rng.choice(COMPANIES)}, {rng.choice(('LLC', 'Inc.'))}"
    email = f"{first}.{last}@example.org".lower()
    phone = f"({area_code}) 555-{rng.randrange(100, 200):04d}"
    return Client(
        name=names.get(kind, f"{first} {last}"),
        company=company if kind == "business" else "",
        email=email if kind != "estate" and rng.random() < 0.5 else None,
        phone=phone if rng.random() < 0.3 else None,
    )


def _working_hours(rng: random.Random, day: dt.date) -> dt.datetime:
    """A moment in the working day in Florida and Texas (13:00–23:00 UTC), to the minute."""
    minutes = rng.randrange(13 * 60, 23 * 60)
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)


def _stage_path(rng: random.Random, direction: Direction) -> list[Stage]:
    """The stages after the first, ending in an outcome, following NEXT_STAGES."""
    if direction is Direction.received:
        outcome = rng.choices((Stage.engaged, Stage.declined, Stage.lost), (55, 15, 30))[0]
        progress = [Stage.acknowledged, Stage.contacted, Stage.qualified]
        if outcome is not Stage.engaged:  # a referral can fall away at any point
            progress = progress[: rng.randint(0, len(progress))]
        return [*progress, outcome]
    if rng.random() < 0.7:
        return [Stage.accepted, Stage.engaged]
    return [Stage.accepted, Stage.declined] if rng.random() < 0.5 else [Stage.declined]


def _plan_steps(
    rng: random.Random, direction: Direction, referred_at: dt.datetime, horizon: dt.datetime
) -> list[Step]:
    """The stage changes that have happened by ``horizon``: old referrals are closed, recent
    ones still open, and a few stalled part-way."""
    steps, at = [], referred_at
    for stage in _stage_path(rng, direction):
        at += dt.timedelta(minutes=round(rng.uniform(*GAP_DAYS[stage]) * 24 * 60))
        notes = STAGE_NOTES.get((direction, stage), ("",))
        steps.append(Step(stage, at, rng.choice(notes)))
    stalls = rng.random() < STALL_SHARE and horizon - referred_at < dt.timedelta(STALL_WITHIN_DAYS)
    stall_at = rng.randrange(len(steps)) if stalls else len(steps)
    return [step for step in steps[:stall_at] if step.at <= horizon]


def _ancillary_probate(
    partners: list[DemoPartner], user_ids: dict[Role, int], horizon: dt.datetime
) -> ReferralPlan:
    """The one matter sent to the California probate lawyer, accepted last month."""
    partner = next(p for p in partners if p.seed.kind is CALIFORNIA_PROBATE)
    referred_at = horizon - dt.timedelta(days=40) + dt.timedelta(hours=15)
    return ReferralPlan(
        create=ReferralCreate(
            direction=Direction.sent,
            partner_id=partner.id,
            client_name="Estate of Harold Brennan",
            matter_type=ANCILLARY_PROBATE.name,
            description=ANCILLARY_PROBATE.description,
            estimated_value=Decimal(8000),
            jurisdiction="CA",
            owner_id=user_ids[Role.owner],
            referred_at=referred_at,
        ),
        steps=[Step(Stage.accepted, referred_at + dt.timedelta(days=2), "")],
        actual_value=None,
    )


async def _write_referral(actor: Actor, plan: ReferralPlan) -> None:
    referral = await create_referral(actor, plan.create)
    for step in plan.steps:
        change = StageChangeIn(
            stage=step.stage,
            note=step.note,
            changed_at=step.at,
            reason=DECLINE_REASONS.get(step.note) if step.stage is Stage.declined else None,
            actual_value=plan.actual_value if step.stage is Stage.engaged else None,
        )
        await change_stage(actor, referral.id, change)


async def _settle_old_drafts(firm_id: int, before: dt.datetime) -> None:
    """Partner updates for stage changes before ``before`` were approved when they happened
    (which is also when each partner last heard from the firm); later ones still wait."""
    await MessageDraft.raw(
        "UPDATE rapport_message_draft SET status = 'approved', decided_by = 'demo', "
        "decided_at = (SELECT c.changed_at FROM rapport_referral_stage_change c "
        "WHERE c.id = rapport_message_draft.stage_change) "
        "WHERE firm = {} AND stage_change IN (SELECT id FROM rapport_referral_stage_change "
        "WHERE firm = {} AND changed_at < {})",
        firm_id,
        firm_id,
        before,
    )
    await Referral.raw(
        "UPDATE rapport_referral SET last_partner_update_at = (SELECT MAX(d.decided_at) "
        "FROM rapport_message_draft d WHERE d.referral = rapport_referral.id "
        "AND d.status = 'approved') WHERE firm = {}",
        firm_id,
    )


async def _log_duplicate(actor: Actor, horizon: dt.datetime) -> None:
    """A second partner sends a client the firm already has: flagged at intake."""
    original = (
        await Referral.select()
        .where(
            Referral.firm == actor.firm_id,
            Referral.direction == Direction.received.value,
            Referral.partner.is_not_null(),
            Referral.duplicate_of.is_null(),
        )
        .order_by(Referral.referred_at, ascending=False)
        .first()
    )
    other = (
        await Partner.select(Partner.id)
        .where(Partner.firm == actor.firm_id, Partner.id != original["partner"])
        .order_by(Partner.id)
        .first()
    )
    await create_referral(
        actor,
        ReferralCreate(
            direction=Direction.received,
            partner_id=other["id"],
            client_name=original["client_name"],
            client_email=original["client_email"],
            matter_type=original["matter_type"],
            referred_at=max(original["referred_at"], horizon - dt.timedelta(hours=2)),
        ),
    )


# ------------------------------------------------------------------------ activities


def _plan_activity(
    rng: random.Random, partners: list[DemoPartner], today: dt.date
) -> ActivityCreate:
    days_ago = rng.randrange(HISTORY_DAYS)
    partner = _pick_partner(rng, partners, days_ago, lambda profile: profile.activity_weight)
    kind = rng.choices(list(ACTIVITY_WEIGHTS), list(ACTIVITY_WEIGHTS.values()))[0]
    return ActivityCreate(
        partner_id=partner.id,
        kind=kind,
        occurred_on=today - dt.timedelta(days=days_ago),
        summary=rng.choice(ACTIVITY_SUMMARIES[kind]).format(topic=rng.choice(TOPICS)),
    )
