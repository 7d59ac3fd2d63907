"""The web pages as a person uses them: signed in with a session, filling in forms."""

import datetime as dt
import html
import re

from rapport_core.clock import now
from rapport_core.schemas import PartnerCreate, ReferralCreate
from rapport_core.services import partners, referrals

from tests.conftest import PASSWORD


def visible_text(markup: str) -> str:
    """The page's text as a reader sees it: tags and extra whitespace removed."""
    without_tags = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", markup, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(without_tags))


def main_text(markup: str) -> str:
    """The visible text of the page's main region, without the menus around it."""
    found = re.search(r"<main\b.*?</main>", markup, flags=re.S)
    assert found, "the page has no <main> region"
    return visible_text(found.group(0))


def partner_fields(**overrides: str) -> dict[str, str]:
    fields = {
        "name": "Grace Hopper",
        "organisation": "Hopper & Co CPAs",
        "profession": "cpa",
        "specialties": "Estate tax, Trusts",
        "email": "grace@hopper.example",
        "phone": "+1 305 555 0100",
        "city": "Tampa",
        "state": "FL",
    }
    return fields | overrides


async def test_signed_out_visitor_is_sent_to_sign_in(web):
    web.client.cookies.clear()
    for path in ("/", "/partners", "/referrals/new", "/partners/1"):
        response = await web.get(path, follow_redirects=False)
        assert response.status_code in (302, 303), path
        assert response.headers["location"].startswith("/login"), path
    page = await web.get("/partners")
    assert page.url.path == "/login"
    assert "Sign in" in visible_text(page.text)


async def test_sign_in_returns_to_the_page_asked_for_with_its_query(web, firm):
    web.client.cookies.clear()
    response = await web.get("/partners?q=hopper&state=FL", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/partners%3Fq%3Dhopper%26state%3DFL"
    await web.get("/login")
    signed_in = await web.post(
        "/login",
        {"email": firm.emails["member"], "password": PASSWORD, "next": "/partners?q=hopper"},
    )
    assert signed_in.url.path == "/partners" and signed_in.url.query == b"q=hopper"


async def test_sign_in_never_redirects_to_another_site(web, firm):
    ours = (await web.get("/login")).url.host
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        fields = {"email": firm.emails["member"], "password": PASSWORD, "next": target}
        response = await web.post("/login", fields)
        assert response.url.host == ours and response.url.path == "/", target


async def test_unknown_page_is_an_html_page_for_browsers_and_json_for_programs(web, client):
    page = await web.get("/no/such/page", headers={"accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "There is nothing here" in visible_text(page.text)
    api = await client.get("/api/v1/nothing", headers={"accept": "text/html"})
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"


async def test_wrong_password_shows_a_message(web, firm):
    response = await web.sign_in(firm.emails["member"], password="not the password")
    assert response.status_code == 401
    assert "Email or password is incorrect." in visible_text(response.text)


async def test_member_adds_a_partner_and_finds_it_in_the_list(web, firm):
    await web.sign_in(firm.emails["member"])
    form = await web.get("/partners/new")
    assert form.status_code == 200 and "Add a partner" in visible_text(form.text)

    created = await web.post("/partners/new", partner_fields())
    assert created.history and created.history[0].status_code == 303  # post, redirect, get
    detail = visible_text(created.text)
    assert "Grace Hopper" in detail and "Hopper & Co CPAs" in detail and "Estate tax" in detail

    listing = visible_text((await web.get("/partners")).text)
    assert "Grace Hopper" in listing and "CPA" in listing and "Tampa, FL" in listing
    found = visible_text((await web.get("/partners?q=hopper&profession=cpa&state=FL")).text)
    assert "Grace Hopper" in found
    not_found = visible_text((await web.get("/partners?profession=attorney")).text)
    assert "Grace Hopper" not in not_found and "No partners match" in not_found


async def test_invalid_partner_form_shows_the_problem_and_keeps_the_input(web, firm):
    await web.sign_in(firm.emails["member"])
    response = await web.post("/partners/new", partner_fields(email="not-an-email", name=""))
    assert response.status_code == 422
    text = visible_text(response.text)
    assert "Please fix these 2 problems" in text
    assert "Email: Value is not a valid email address" in text
    assert "Name: This field is required." in text
    # What the person typed is still in the form.
    assert 'value="not-an-email"' in response.text
    assert 'value="Hopper &amp; Co CPAs"' in response.text
    assert re.search(r'<option value="cpa" selected>', response.text)
    assert "Hopper & Co CPAs" not in visible_text((await web.get("/partners")).text)


async def test_member_edits_a_partner(web, firm):
    await web.sign_in(firm.emails["member"])
    created = await web.post("/partners/new", partner_fields())
    edit_path = f"{created.url.path}/edit"
    form = await web.get(edit_path)
    assert 'value="Estate tax, Trusts"' in form.text  # lists read back as comma-separated

    invalid = await web.post(edit_path, partner_fields(state="ZZ", city="Miami"))
    assert invalid.status_code == 422
    assert "State: 'ZZ' is not a US state or territory code" in visible_text(invalid.text)
    assert 'value="Miami"' in invalid.text

    saved = await web.post(edit_path, partner_fields(city="Miami", specialties="Probate"))
    text = visible_text(saved.text)
    assert saved.status_code == 200 and "Miami, FL" in text and "Probate" in text


async def test_member_logs_a_referral_and_moves_it_along(web, firm):
    await web.sign_in(firm.emails["member"])
    partner = await web.post("/partners/new", partner_fields())
    partner_id = partner.url.path.rsplit("/", 1)[1]

    logged = await web.post(
        "/referrals/new",
        {
            "direction": "received",
            "partner_id": partner_id,
            "client_name": "Ann Client",
            "client_email": "ann@client.example",
            "matter_type": "Estate plan",
            "estimated_value": "$1,234.5",
            "jurisdiction": "FL",
        },
    )
    text = visible_text(logged.text)
    assert logged.status_code == 200
    assert "Ann Client" in text and "$1,234.50" in text and "Submitted" in text
    assert "Received from Grace Hopper" in text
    assert "UTC" in text  # times say which timezone they are in
    referral_path = logged.url.path

    moved = await web.post(f"{referral_path}/stage", {"stage": "acknowledged", "version": "1"})
    text = visible_text(moved.text)
    assert "Submitted → Acknowledged" in text
    assert "Contacted" in text  # the next allowed stage is offered

    stale = await web.post(f"{referral_path}/stage", {"stage": "contacted", "version": "1"})
    assert stale.status_code == 409
    assert "changed by someone else" in visible_text(stale.text)

    listing = visible_text((await web.get("/referrals?direction=received&q=ann")).text)
    assert "Ann Client" in listing and "Estate plan" in listing
    assert "Ann Client" not in visible_text((await web.get("/referrals?direction=sent")).text)


async def test_sent_referral_needs_a_partner(web, firm):
    await web.sign_in(firm.emails["member"])
    response = await web.post(
        "/referrals/new", {"direction": "sent", "partner_id": "", "client_name": "Bo"}
    )
    assert response.status_code == 422
    assert "needs the partner it was sent to" in visible_text(response.text)
    assert 'value="Bo"' in response.text


async def test_dashboard_shows_figures_briefing_and_charts(web, firm):
    actor = firm.actor("member")
    partner = await partners.create_partner(
        actor, PartnerCreate(name="Alan Turing", profession="attorney")
    )
    long_ago = now() - dt.timedelta(hours=6)  # past the 4-hour acknowledgement SLA
    for client_name in ("Cy Client", "Di Client"):
        await referrals.create_referral(
            actor,
            ReferralCreate(
                direction="received",
                partner_id=partner.id,
                client_name=client_name,
                referred_at=long_ago,
            ),
        )
    await referrals.create_referral(
        actor, ReferralCreate(direction="sent", partner_id=partner.id, client_name="Ed Client")
    )
    await web.sign_in(firm.emails["viewer"])
    page = await web.get("/")
    text = visible_text(page.text)
    assert "2 Received, 12 months" in text and "1 Sent, 12 months" in text
    # Both received referrals were never acknowledged: the briefing says so, with the reason.
    assert "Cy Client: acknowledge the referral" in text and "past the SLA" in text
    # Charts come with their figures: this month's bar and the funnel's first step.
    received_in, sent_in = f"{long_ago:%B %Y}", f"{now():%B %Y}"
    if received_in == sent_in:
        assert f"{sent_in} 2 1" in text
    else:
        assert f"{received_in} 2 0" in text and f"{sent_in} 0 1" in text
    assert "Submitted 2 100%" in text
    assert page.text.count("<svg") >= 3
    assert "Cy Client" in text and "Ed Client" in text and "Firm A" in text


async def test_partner_list_pages_through_results(web, firm):
    actor = firm.actor()
    for number in range(27):
        await partners.create_partner(
            actor, PartnerCreate(name=f"Partner {number:02}", profession="cpa")
        )
    await web.sign_in(firm.emails["member"])
    first = visible_text((await web.get("/partners")).text)
    assert "1–25 of 27 partners" in first and "Next" in first and "Partner 24" in first
    second = visible_text((await web.get("/partners?page=2")).text)
    assert "26–27 of 27 partners" in second and "Previous" in second
    assert "Partner 26" in second and "Partner 24" not in second


async def test_viewer_cannot_create_or_change(web, firm):
    partner = await partners.create_partner(
        firm.actor(), PartnerCreate(name="Alan Turing", profession="attorney")
    )
    await web.sign_in(firm.emails["viewer"])
    listing = visible_text((await web.get("/partners")).text)
    assert "Alan Turing" in listing
    assert "Add partner" not in listing and "Log referral" not in listing
    detail = visible_text((await web.get(f"/partners/{partner.id}")).text)
    assert "Edit" not in detail and "Log activity" not in detail

    assert (await web.get("/partners/new")).status_code == 403
    refused = await web.post("/partners/new", partner_fields(name="Viewer's Partner"))
    assert refused.status_code == 403
    assert "don't have permission" in visible_text(refused.text)
    edit = await web.post(f"/partners/{partner.id}/edit", partner_fields(name="Renamed"))
    assert edit.status_code == 403
    listing = visible_text((await web.get("/partners")).text)
    assert "Viewer's Partner" not in listing and "Renamed" not in listing


def main_nav(markup: str) -> dict:
    """The main navigation: each section's pages, the current page and its section."""
    nav = re.search(r'<nav class="mainnav".*?</nav>', markup, re.S).group(0)
    sections = re.findall(r'<ul class="nav-links" id="nav-(\w+)"[^>]*>(.*?)</ul>', nav, re.S)
    return {
        "sections": {key: re.findall(r">([^<]+)</a>", links) for key, links in sections},
        "current": re.findall(r'<a href="([^"]+)" aria-current="page">', nav),
        "current_section": re.findall(r'nav-group is-current">\s*<span[^>]*>([^<]+)<', nav),
    }


async def test_main_nav_groups_the_pages_and_marks_the_current_one(web, firm):
    await web.sign_in(firm.emails["member"])
    nav = main_nav((await web.get("/referrals?stage=submitted")).text)
    assert nav["sections"] == {
        "referrals": ["Referrals", "Pipeline", "Partner updates"],
        "network": ["Partners", "Network map", "Possible duplicates"],
        "money": ["Payouts", "Tax"],
        "compliance": ["Compliance", "Agreements"],  # the audit log is for compliance roles
        "settings": ["Settings", "Integrations"],
    }
    assert nav["current"] == ["/referrals"] and nav["current_section"] == ["Referrals"]
    # Logging a referral has its own button: no section is current.
    nav = main_nav((await web.get("/referrals/new")).text)
    assert nav["current"] == [] and nav["current_section"] == []
    assert main_nav((await web.get("/")).text)["current"] == ["/"]

    await web.sign_in(firm.emails["compliance"])
    nav = main_nav((await web.get("/audit")).text)
    assert nav["sections"]["compliance"] == ["Compliance", "Agreements", "Audit log"]
    assert nav["current"] == ["/audit"] and nav["current_section"] == ["Compliance"]


async def test_another_firm_gets_not_found_pages(web, firm, other_firm):
    actor = firm.actor()
    partner = await partners.create_partner(
        actor, PartnerCreate(name="Alan Turing", profession="attorney")
    )
    referral = await referrals.create_referral(
        actor, ReferralCreate(direction="sent", partner_id=partner.id, client_name="Cy Client")
    )
    await web.sign_in(other_firm.emails["owner"])
    for path in (
        f"/partners/{partner.id}",
        f"/partners/{partner.id}/edit",
        f"/referrals/{referral.id}",
        f"/referrals?partner_id={partner.id}",
    ):
        response = await web.get(path)
        assert response.status_code == 404, path
        assert "Not Found" in visible_text(response.text), path
        assert "Alan Turing" not in response.text and "Cy Client" not in response.text
    posts = {
        f"/partners/{partner.id}/edit": partner_fields(name="Mallory"),
        f"/partners/{partner.id}/activities": {"kind": "call", "occurred_on": "2026-11-01"},
        f"/referrals/{referral.id}/stage": {"stage": "accepted"},
    }
    for path, fields in posts.items():
        assert (await web.post(path, fields)).status_code == 404, path
    # A form cannot link another firm's partner either.
    linked = await web.post(
        "/referrals/new",
        {"direction": "received", "partner_id": str(partner.id), "client_name": "Eve"},
    )
    assert linked.status_code == 422 and "not found" in visible_text(linked.text)
    assert (await partners.get_partner(actor, partner.id)).name == "Alan Turing"


async def test_form_post_without_csrf_token_is_rejected(web, firm):
    await web.sign_in(firm.emails["member"])
    response = await web.post("/partners/new", partner_fields(name="No Token"), csrf=False)
    assert response.status_code == 403
    assert "security token" in visible_text(response.text)
    assert "No Token" not in visible_text((await web.get("/partners")).text)


async def test_a_decision_the_pages_do_not_offer_is_not_found(web, firm):
    await web.sign_in(firm.emails["owner"])
    for path in ("/payouts/1/delete", "/approvals/1/send-now"):
        response = await web.post(path, {"reason": "x"})
        assert response.status_code == 404, path
        assert "There is nothing here" in visible_text(response.text)


async def test_partner_page_shows_health_reciprocity_and_timeline(web, firm):
    actor = firm.actor("member")
    partner = await partners.create_partner(
        actor, PartnerCreate(name="Alan Turing", profession="attorney")
    )
    for client_name in ("Cy Client", "Di Client"):
        await referrals.create_referral(
            actor,
            ReferralCreate(direction="received", partner_id=partner.id, client_name=client_name),
        )
    await web.sign_in(firm.emails["member"])
    logged = await web.post(
        f"/partners/{partner.id}/activities",
        {"kind": "call", "occurred_on": f"{now():%Y-%m-%d}", "summary": "Thanked him"},
    )
    assert logged.status_code in (200, 303)
    page = await web.get(f"/partners/{partner.id}")
    text = visible_text(page.text)
    assert "2 From them" in text and "0 To them" in text
    assert "You owe them a referral" in text
    assert "Alan Turing referred Cy Client to you" in text and "Thanked him" in text
    # Newest first: today's call is noted after the day's referrals.
    assert text.index("Thanked him") < text.index("Alan Turing referred Cy Client to you")
    assert f"{now():%B %Y} 2 0" in text  # this month's figures under the chart
    # Health: referred today, met today, 2 of 6 referrals, no value yet, all one way.
    # (20 + 10 + 15 × 2/6 + 0 + 10 × 0) ÷ (20 + 10 + 15 + 15 + 10) = 35 ÷ 70 → 50.
    assert "Health 50 /100 · steady" in text
    assert "Last touchpoint 0 days ago" not in text and "Last touchpoint today" in text
    assert "Licence not counted No licence on file." in text
