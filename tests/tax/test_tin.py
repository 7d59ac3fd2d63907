import pytest
from rapport_core.errors import Invalid
from rapport_core.tax.tin import mask, parse_tin


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("000-12-3456", "area number 000"),
        ("666-12-3456", "area number 666"),
        ("900-12-3456", "area number 900"),
        ("999-12-3456", "area number 999"),
        ("123-00-4567", "group number 00"),
        ("123-45-0000", "serial number 0000"),
        ("123-45-678", "nine digits"),
        ("12a-45-6789", "nine digits"),
    ],
)
def test_impossible_ssns_are_refused_naming_the_field(text, problem):
    with pytest.raises(Invalid) as refused:
        parse_tin("ssn", text)
    assert problem in refused.value.detail
    assert refused.value.field == "tin"


@pytest.mark.parametrize(
    "prefix",
    ["00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78", "79", "89"],
)
def test_unissued_ein_prefixes_are_refused(prefix):
    with pytest.raises(Invalid, match=f"prefix {prefix}"):
        parse_tin("ein", f"{prefix}-1234567")


def test_valid_numbers_are_normalised_and_masked():
    ssn = parse_tin("ssn", "123 45 6789")
    assert (ssn.digits, ssn.formatted, ssn.masked) == ("123456789", "123-45-6789", "***-**-6789")
    ein = parse_tin("ein", "12-3456789")
    assert (ein.formatted, ein.masked) == ("12-3456789", "**-***6789")
    assert mask("ssn", "") == "none on file"


def test_the_stored_form_is_encrypted():
    tin = parse_tin("ssn", "123-45-6789")
    token = tin.encrypted()
    assert "123456789" not in token and "6789" not in token
