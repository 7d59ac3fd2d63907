"""vCard 3.0 and 4.0 files (``.vcf``), parsed by ``vobject``, one card at a time so that a
broken card is reported with its line and the others still import."""

from __future__ import annotations

import re

import vobject

from rapport_core.importing.records import Candidate, Problem

_BEGIN = re.compile(r"^BEGIN:VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^END:VCARD\s*$", re.IGNORECASE)


def looks_like_vcard(text: str) -> bool:
    return bool(re.match(r"\s*BEGIN:VCARD", text, re.IGNORECASE))


def _cards(text: str):
    """(first line, text) of each BEGIN:VCARD … END:VCARD block."""
    start, lines = None, text.splitlines()
    for number, line in enumerate(lines, start=1):
        if _BEGIN.match(line):
            start = number
        elif _END.match(line) and start is not None:
            yield start, "\r\n".join(lines[start - 1 : number]) + "\r\n"
            start = None
    if start is not None:
        yield start, None  # BEGIN without END


def _text(value) -> str:
    """A property's value as one string (vobject gives structured values as lists)."""
    if isinstance(value, list | tuple):
        return ", ".join(t for t in (_text(v) for v in value) if t)
    return str(value or "").strip()


def _preferred(card, name: str) -> list:
    """A card's properties called ``name``, the one marked preferred first."""
    items = card.contents.get(name, [])

    def rank(item) -> int:
        params = {k.upper(): [str(v).lower() for v in vs] for k, vs in item.params.items()}
        preferred = "pref" in params.get("TYPE", []) or "PREF" in params
        work = "work" in params.get("TYPE", [])
        return 0 if preferred else 1 if work else 2

    return sorted(items, key=rank)


def _candidate(row: int, line: int, card) -> Candidate:
    candidate = Candidate(row, line)
    if "fn" in card.contents:
        candidate.add("name", _text(card.fn.value))
    if "n" in card.contents:
        name = card.n.value
        candidate.add("first_name", _text(name.given))
        candidate.add("middle_name", _text(name.additional))
        candidate.add("last_name", _text(name.family))
    if "org" in card.contents:
        candidate.add("organisation", _text(card.org.value))
    for prop in ("title", "role"):
        if prop in card.contents:
            candidate.add("title", _text(card.contents[prop][0].value))
    for email in _preferred(card, "email"):
        candidate.add("email", _text(email.value).removeprefix("mailto:"))
    for tel in _preferred(card, "tel"):
        candidate.add("phone", _text(tel.value).removeprefix("tel:"))
    for adr in _preferred(card, "adr"):
        address = adr.value
        if not hasattr(address, "street"):
            continue
        candidate.add("address", _text(address.street))
        candidate.add("city", _text(address.city))
        candidate.add("state", _text(address.region))
        candidate.add("postal_code", _text(address.code))
    for categories in card.contents.get("categories", []):
        for value in categories.value if isinstance(categories.value, list) else [categories.value]:
            candidate.add("tags", _text(value))
    for note in card.contents.get("note", []):
        candidate.add("notes", _text(note.value))
    if "uid" in card.contents:
        candidate.add("external_id", _text(card.uid.value))
    return candidate


def _reason(error: Exception) -> str:
    return re.sub(r"^At line \d+: ", "", str(error))


def _failed_line(block: str, first_line: int, error: Exception) -> int:
    """The file line vobject failed on: found by its text (vobject's own line numbers
    count folded lines differently), else the card's first line."""
    failed = str(error).partition("Failed to parse line: ")[2].strip()
    if failed:
        for offset, text in enumerate(block.splitlines()):
            if text.strip() == failed:
                return first_line + offset
    return first_line


def read_vcards(text: str) -> tuple[list[Candidate], list[Problem]]:
    """Each card as a candidate partner; a card vobject cannot parse is a problem with its
    line (the card's line plus the line within it that failed)."""
    candidates: list[Candidate] = []
    problems: list[Problem] = []
    for row, (line, block) in enumerate(_cards(text), start=1):
        if block is None:
            problems.append(Problem(row, line, "card", "BEGIN:VCARD without END:VCARD"))
            continue
        try:
            card = vobject.readOne(block, ignoreUnreadable=False)
        except Exception as error:  # vobject raises ParseError and, on odd values, others
            problems.append(Problem(row, _failed_line(block, line, error), "card",
                                    f"cannot be read: {_reason(error)}"))  # fmt: skip
            continue
        candidates.append(_candidate(row, line, card))
    return candidates, problems
