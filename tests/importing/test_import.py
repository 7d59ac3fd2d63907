"""Importing files into a firm: what is created, matched, suggested, refused and reported."""

import pytest
import rapport_test_hello
from rapport_core.audit import events_for
from rapport_core.errors import Forbidden, NotFound
from rapport_core.importing import service
from rapport_core.importing.schemas import ImportMode, ImportOptions
from rapport_core.schemas import PartnerCreate, PartnerSearch, PartnerUpdate
from rapport_core.services import partners
from rapport_core.suggestions import service as suggestions

from tests.importing import samples

SKIP = ImportOptions(mode=ImportMode.skip_bad_rows)
ALL_OR_NOTHING = ImportOptions()

DANA = {"First Name": "Dana", "Last Name": "Ortiz", "E-mail Address": "dana@ortiz.example",
        "Company": "Ortiz Tax Group", "Job Title": "Managing partner", "Profession": "CPA",
        "Business Street": "1 Bay Rd", "Business City": "Tampa", "Business State": "Florida",
        "Business Postal Code": "33602", "Business Phone": "(813) 555-0100",
        "Categories": "Tax; Tampa"}  # fmt: skip
EVE = {"First Name": "Eve", "Last Name": "Stone", "E-mail Address": "eve@stone.example",
       "Company": "Stone Wealth", "Profession": "Financial planner"}  # fmt: skip


async def run(firm, text: str, options=ALL_OR_NOTHING, name="contacts.csv", role="owner"):
    return await service.import_file(firm.actor(role), text.encode(), name, options)


async def all_partners(firm):
    return (await partners.search_partners(firm.actor(), PartnerSearch(per_page=200))).items


async def test_outlook_rows_become_partners_with_their_fields_audited_and_announced(firm):
    rapport_test_hello.seen.clear()
    report = await run(firm, samples.outlook([DANA, EVE]))
    assert report.status == "imported" and report.format == "outlook"
    assert (report.counts.created, report.counts.failed, report.problems) == (2, 0, [])
    dana, eve = await all_partners(firm)
    assert (dana.name, dana.organisation, dana.profession, dana.state) == (
        "Dana Ortiz", "Ortiz Tax Group", "cpa", "FL",
    )  # fmt: skip
    assert (dana.address, dana.city, dana.postal_code, dana.phone) == (
        "1 Bay Rd", "Tampa", "33602", "(813) 555-0100",
    )  # fmt: skip
    assert dana.tags == ["Tax", "Tampa"] and dana.notes == "Job title: Managing partner"
    assert dana.source == "csv" and eve.profession == "financial_advisor"
    events = (await events_for(firm.id))[:3]
    assert [e["action"] for e in events] == ["partner.import", "partner.create", "partner.create"]
    assert events[0]["after"]["created"] == 2
    assert rapport_test_hello.seen == [("partner_created", dana.id), ("partner_created", eve.id)]


async def test_reimport_creates_no_duplicate_and_fills_only_empty_fields(firm):
    await run(firm, samples.outlook([{**DANA, "Business Phone": ""}]))
    [dana] = await all_partners(firm)
    await partners.update_partner(firm.actor(), dana.id, PartnerUpdate(city="St. Petersburg"))
    again = await run(firm, samples.outlook([DANA, EVE]))
    assert (again.counts.created, again.counts.updated, again.counts.unchanged) == (1, 1, 0)
    dana_after, _ = await all_partners(firm)
    assert dana_after.phone == "(813) 555-0100"  # was empty: filled
    assert dana_after.city == "St. Petersburg"  # edited in Rapport: kept
    third = await run(firm, samples.outlook([DANA, EVE]))
    assert (third.counts.created, third.counts.updated, third.counts.unchanged) == (0, 0, 2)
    assert len(await all_partners(firm)) == 2


async def test_normalised_email_matches_a_partner_entered_by_hand(firm):
    manual = await partners.create_partner(
        firm.actor(), PartnerCreate(name="D. Ortiz", profession="cpa", email="Dana.Ortiz@Gmail.com")
    )
    text = samples.google([{"First Name": "Dana", "Last Name": "Ortiz",
                            "E-mail 1 - Value": "danaortiz+work@gmail.com"}])  # fmt: skip
    report = await run(firm, text)
    assert (report.counts.created, report.counts.unchanged) == (0, 1)
    [partner] = await all_partners(firm)
    assert partner.id == manual.id and partner.name == "D. Ortiz"


async def test_same_name_and_organisation_is_a_suggestion_never_a_merge(firm):
    existing = await partners.create_partner(
        firm.actor(),
        PartnerCreate(name="Dana Ortiz", organisation="Ortiz Tax Group, LLC", profession="cpa"),
    )
    report = await run(firm, samples.outlook([DANA]))
    assert (report.counts.created, report.counts.suggestions) == (1, 1)
    assert len(await all_partners(firm)) == 2
    [suggestion] = await suggestions.list_suggestions(firm.actor())
    assert suggestion.partner_id == existing.id and suggestion.candidate.name == "Dana Ortiz"
    assert suggestion.duplicate_id not in (None, existing.id) and suggestion.origin == "import"
    again = await run(firm, samples.outlook([DANA]))
    assert (again.counts.created, again.counts.suggestions) == (0, 0)
    assert len(await suggestions.list_suggestions(firm.actor())) == 1


async def test_all_or_nothing_writes_nothing_when_any_row_is_bad(firm):
    bad = {"First Name": "Bad", "Last Name": "Email", "E-mail Address": "not-an-email",
           "Business State": "Ontario"}  # fmt: skip
    report = await run(firm, samples.outlook([DANA, bad, {"Company": "No Name Inc"}]))
    assert report.status == "rejected" and report.counts.created == 0
    assert await all_partners(firm) == []
    assert [(p.row, p.line, p.field) for p in report.problems] == [
        (2, 3, "email"), (2, 3, "state"), (3, 4, "name"),
    ]  # fmt: skip
    assert "not a US state" in report.problems[1].reason and "Ontario" in report.problems[1].reason
    assert report.counts.failed == 2
    csv_text = service.report_csv(report.problems)
    assert csv_text.splitlines()[0] == "row,line,name,field,reason"
    assert csv_text.splitlines()[1].startswith("2,3,Bad Email,email,")


async def test_skip_bad_rows_writes_the_valid_rows_and_reports_the_rest(firm):
    report = await run(
        firm, samples.outlook([DANA, {"First Name": "X", "E-mail Address": "x@"}, EVE]), SKIP
    )
    assert report.status == "imported"
    assert (report.counts.rows, report.counts.created, report.counts.failed) == (3, 2, 1)
    assert [(p.row, p.field) for p in report.problems] == [(2, "email")]
    assert [p.name for p in await all_partners(firm)] == ["Dana Ortiz", "Eve Stone"]
    stored = await service.get_report(firm.actor(), report.id)
    assert stored.problems == report.problems


async def test_the_same_person_twice_in_a_file_is_imported_once(firm):
    report = await run(firm, samples.outlook([DANA, EVE, {**DANA, "Job Title": "Partner"}]))
    assert (report.counts.created, report.counts.skipped) == (2, 1)
    [problem] = report.problems
    assert (problem.row, problem.field) == (3, "email") and "as row 1" in problem.reason


async def test_vcard_uid_matches_even_when_the_email_changed(firm):
    first = await run(firm, samples.vcard(samples.VCARD_3, samples.VCARD_4), name="a.vcf")
    assert first.format == "vcard" and first.counts.created == 2
    dana, ana = sorted(await all_partners(firm), key=lambda p: p.name, reverse=True)
    assert dana.source == "vcard" and dana.state == "FL" and dana.tags == ["CPA", "Tampa"]
    assert dana.external_ids == {"vcard": "urn:uuid:11111111-2222-3333-4444-555555555555"}
    assert (
        dana.notes == "Job title: Managing partner\nMet at the estate planning council\nlikes golf"
    )
    changed = samples.VCARD_3.replace("dana@ortiz.example", "dana@new.example")
    again = await run(firm, changed, name="a.vcf")
    assert (again.counts.created, again.counts.unchanged) == (0, 1)


async def test_linkedin_connections_without_email_are_not_duplicated_on_reimport(firm):
    rows = [{"First Name": "Sam", "Last Name": "Reed", "URL": "https://www.linkedin.com/in/sam",
             "Company": "Reed Wealth", "Position": "Advisor", "Connected On": "01 Dec 2026"},
            {"First Name": "Lu", "Last Name": "Chen", "Company": "Chen CPA"}]  # fmt: skip
    first = await run(firm, samples.linkedin(rows), name="Connections.csv")
    assert first.format == "linkedin" and first.counts.created == 2
    again = await run(firm, samples.linkedin(rows), name="Connections.csv")
    assert (again.counts.created, again.counts.unchanged) == (0, 2)
    sam = next(p for p in await all_partners(firm) if p.name == "Sam Reed")
    assert sam.external_ids == {"linkedin": "https://www.linkedin.com/in/sam"}


async def test_generic_csv_with_a_mapping_and_a_default_profession(firm):
    text = "Who,Org,Kind,Mail,Areas\nAnn Lee,Lee Law,Attorney,ann@lee.example,Estates; Trusts\n"
    text += "Bo Kim,Kim Co,,bo@kim.example,\n"
    mapping = {"Who": "name", "Org": "organisation", "Kind": "profession", "Mail": "email",
               "Areas": "specialties"}  # fmt: skip
    report = await run(firm, text, ImportOptions(mapping=mapping, default_profession="cpa"))
    ann, bo = await all_partners(firm)
    assert (ann.profession, ann.specialties, bo.profession) == (
        "attorney", ["Estates", "Trusts"], "cpa",
    )  # fmt: skip
    assert report.counts.created == 2
    unknown = "Who,Kind\nCy,Surgeon\n"
    refused = await run(firm, unknown, ImportOptions(mapping={"Who": "name", "Kind": "profession"}))
    [problem] = refused.problems
    assert problem.field == "profession" and "Surgeon" in problem.reason


async def test_firms_are_kept_apart_and_viewers_cannot_import(firm, other_firm):
    await run(firm, samples.outlook([DANA]))
    theirs = await run(other_firm, samples.outlook([DANA]))
    assert theirs.counts.created == 1  # firm A's Dana is not theirs to match
    with pytest.raises(NotFound):
        await service.get_report(other_firm.actor(), (await service.list_runs(firm.actor()))[0].id)
    with pytest.raises(Forbidden):
        await run(firm, samples.outlook([EVE]), role="viewer")
