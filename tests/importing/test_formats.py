"""Reading contact files: which export it is, its encoding and delimiter, its rows."""

import pytest
from rapport_core.errors import Invalid
from rapport_core.importing.service import read_source

from tests.importing import samples


def test_outlook_export_is_detected_with_windows_1252_accents():
    text = samples.outlook(
        [{"First Name": "José", "Last Name": "Núñez", "E-mail Address": "jose@example.com",
          "Business City": "Miami", "Company": "Núñez & Co"}]
    )  # fmt: skip
    source = read_source(text.encode("cp1252"), "contacts.csv")
    assert (source.layout.name, source.encoding) == ("outlook", "windows-1252")
    [candidate] = source.candidates(source.mapping(_options()))
    assert (
        candidate.first("first_name") == "José" and candidate.first("organisation") == "Núñez & Co"
    )


def test_google_export_with_bom_and_multiline_quoted_notes():
    text = samples.google(
        [{"First Name": "Dana", "Last Name": "Ortiz", "E-mail 1 - Value": "dana@ortiz.example",
          "Notes": 'Line one, with a comma\nline two "quoted"', "Labels": "* myContacts ::: CPAs"},
         {"First Name": "Eve", "Last Name": "Stone", "E-mail 1 - Value": "eve@stone.example"}]
    )  # fmt: skip
    source = read_source(b"\xef\xbb\xbf" + text.encode(), "google.csv")
    assert (source.layout.name, source.encoding) == ("google", "utf-8-sig")
    first, second = source.rows
    assert (first.row, first.line, second.row, second.line) == (1, 2, 2, 4)
    [dana, _] = source.candidates(source.mapping(_options()))
    assert dana.first("notes") == 'Line one, with a comma\nline two "quoted"'


def test_linkedin_preamble_before_the_header_is_skipped():
    text = samples.linkedin(
        [{"First Name": "Sam", "Last Name": "Reed", "URL": "https://www.linkedin.com/in/samreed",
          "Company": "Reed Wealth", "Position": "Advisor", "Connected On": "01 Dec 2026"}]
    )  # fmt: skip
    source = read_source(text.encode(), "Connections.csv")
    assert source.layout.name == "linkedin"
    [row] = source.rows
    assert row.line == 5  # "Notes:", the note, a blank line, then the header on line 4
    [candidate] = source.candidates(source.mapping(_options()))
    assert candidate.first("external_id") == "https://www.linkedin.com/in/samreed"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_generic_csv_delimiters_and_guessed_mapping(delimiter):
    text = samples.table(
        ["Full name", "Firm", "E-mail", "Notes"],
        [{"Full name": "Ann Lee", "Firm": "Lee; Park, LLP", "E-mail": "ann@lee.example",
          "Notes": "a, b; c\td"}],
        delimiter=delimiter,
    )  # fmt: skip
    source = read_source(text.encode(), "partners.csv")
    assert source.layout.name == "csv" and source.delimiter == delimiter
    assert source.mapping(_options()) == {
        "Full name": "name", "Firm": "organisation", "E-mail": "email", "Notes": "notes",
    }  # fmt: skip
    [candidate] = source.candidates(source.mapping(_options()))
    assert candidate.first("organisation") == "Lee; Park, LLP"


def test_vcard_3_and_4_in_one_file():
    source = read_source(samples.vcard(samples.VCARD_3, samples.VCARD_4).encode(), "all.vcf")
    assert source.layout.name == "vcard" and len(source.cards) == 2
    dana, ana = source.cards
    assert (dana.line, ana.line) == (1, 14)
    assert dana.first("state") == "Florida" and dana.first("title") == "Managing partner"
    assert ana.first("organisation") == "Lee & Park, LLP"
    assert ana.first("phone") == "+1-305-555-0101" and ana.first("email") == "ana@leepark.example"


def test_a_broken_card_is_a_problem_with_its_line_and_the_rest_still_read():
    broken = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN Nobody\r\nEND:VCARD\r\n"
    source = read_source(samples.vcard(samples.VCARD_3, broken).encode(), "some.vcf")
    assert len(source.cards) == 1
    [problem] = source.problems
    assert (problem.row, problem.line, problem.field) == (2, 16, "card")
    assert "FN Nobody" in problem.reason


def test_unreadable_bytes_name_the_file_and_line():
    with pytest.raises(Invalid) as error:
        read_source(b"Name,Email\nAnn,a@b.example\nBad\x81,x@y.example\n", "bad.csv")
    assert "bad.csv, line 3" in error.value.detail and "0x81" in error.value.detail


def test_empty_file_and_unknown_mapping_column():
    with pytest.raises(Invalid, match="empty"):
        read_source(b"  \n", "empty.csv")
    source = read_source(b"Name,Email\nAnn,a@b.example\n", "x.csv")
    with pytest.raises(Invalid, match="no column 'Mail'"):
        source.mapping(_options(mapping={"Mail": "email"}))


def _options(**kwargs):
    from rapport_core.importing.schemas import ImportOptions

    return ImportOptions(**kwargs)
