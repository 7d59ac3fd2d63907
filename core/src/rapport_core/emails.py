"""Email addresses as the schemas accept them: pydantic's ``EmailStr`` rules, faster.

``EmailStr`` runs every address through email-validator (display names, quoting, Unicode,
IDNA), about half a millisecond each: the largest cost of an import or a CRM sync. Nearly
every real address is plain ASCII, for which that work finds nothing to change, so those
are recognised by one regular expression and normalised as email-validator would (the
domain lower-cased). Anything else, valid or not, goes through ``EmailStr``'s own
validation, so the accepted addresses, their stored form and the error messages are the
same as before (tests/test_emails.py compares the two).
"""

from __future__ import annotations

import re
from typing import Annotated

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES
from pydantic import AfterValidator, WithJsonSchema
from pydantic.networks import validate_email

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
#: A dot-atom local part of at most 64 characters at a domain of at least two labels whose
#: last is letters only (email-validator requires a TLD ending in a letter).
_PLAIN = re.compile(
    rf"(?=[^@]{{1,64}}@)(?P<local>{_ATEXT}(?:\.{_ATEXT})*)@(?P<domain>(?:{_LABEL}\.)+[A-Za-z]{{2,63}})"
)
_SPECIAL = frozenset(SPECIAL_USE_DOMAIN_NAMES)
_CASE_INSENSITIVE = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)
_EMAIL_MAX = 254


def _is_plain(match: re.Match[str], value: str) -> bool:
    """No rule beyond the expression applies: length, reserved names, IDNA's ``ab--`` labels,
    special-use domains (``.test``, ``.local``…) and mailbox names that are lower-cased."""
    domain = match["domain"].lower()
    labels = domain.split(".")
    return (
        len(value) <= _EMAIL_MAX
        and len(domain) <= 253
        and "--" not in domain
        and match["local"].lower() not in _CASE_INSENSITIVE
        and not any(".".join(labels[i:]) in _SPECIAL for i in range(len(labels)))
    )


def normalise_email(value: str) -> str:
    """The address as ``EmailStr`` stores it; ``ValueError`` (pydantic's) when invalid."""
    match = _PLAIN.fullmatch(value)
    if match and _is_plain(match, value):
        return f"{match['local']}@{match['domain'].lower()}"
    return validate_email(value)[1]


#: An email address field (``EmailStr``'s rules and messages).
Email = Annotated[
    str, AfterValidator(normalise_email), WithJsonSchema({"type": "string", "format": "email"})
]
