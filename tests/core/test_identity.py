"""The client keys behind the duplicate check: same person written differently, same key."""

import pytest
from rapport_core.identity import email_key, name_key, phone_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ann.Lee@Example.com ", "ann.lee@example.com"),
        ("ann+referral@example.com", "ann@example.com"),
        ("a.n.n.lee@gmail.com", "annlee@googlemail.com"),
    ],
)
def test_one_mailbox_written_two_ways_has_one_key(a, b):
    assert email_key(a) == email_key(b) != ""


def test_dots_matter_outside_gmail():
    assert email_key("ann.lee@example.com") != email_key("annlee@example.com")


@pytest.mark.parametrize("phone", ["(305) 555-0100", "+1 305 555 0100", "305.555.0100"])
def test_north_american_numbers_share_a_key(phone):
    assert phone_key(phone) == "3055550100"


def test_no_key_from_missing_or_too_short_values():
    assert email_key(None) == email_key("not an email") == ""
    assert phone_key("") == phone_key("x 12") == ""
    assert name_key("  ", "Acme") == ""


def test_name_and_company_ignore_case_accents_punctuation_and_suffixes():
    assert name_key("Ann  Lée", "ACME, Inc.") == name_key("ann lee", "Acme") == "ann lee|acme"
    assert name_key("Ann Lee", "Acme") != name_key("Ann Lee", "Zenith LLC")
