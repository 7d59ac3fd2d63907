"""Normalised client identity: the keys the intake duplicate check compares.

Two referrals name the same client when their email keys, phone keys, or name-and-company
keys are equal (and not empty). Normalising once, at write time, makes the check an indexed
lookup instead of a scan.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_GMAIL = {"gmail.com", "googlemail.com"}
_COMPANY_SUFFIXES = {
    "inc", "incorporated", "llc", "llp", "lp", "pa", "pc", "pllc", "corp", "corporation",
    "co", "company", "ltd", "limited", "group",
}  # fmt: skip


def email_key(email: str | None) -> str:
    """Lower-cased, without a ``+tag``; Gmail addresses also without dots."""
    if not email or "@" not in email:
        return ""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in _GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}" if local else ""


def phone_key(phone: str | None) -> str:
    """Digits only; a North American number without its leading 1. Too short: no key."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits if len(digits) >= 7 else ""


_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    if not text.isascii():  # accents folded away ("Lée" -> "lee")
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _WORD.findall(text.casefold())


# A sync or import asks for the same person's key two or three times in a row.
@lru_cache(maxsize=4096)
def name_key(name: str | None, company: str | None = "") -> str:
    """``"ann lee|acme"`` from ``"Ann  Lée"`` and ``"ACME, Inc."``; empty without a name."""
    person = " ".join(_words(name or ""))
    if not person:
        return ""
    firm = " ".join(word for word in _words(company or "") if word not in _COMPANY_SUFFIXES)
    return f"{person}|{firm}"
