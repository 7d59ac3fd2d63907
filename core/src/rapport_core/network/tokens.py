"""The tokeniser behind every text comparison of the network (specialties, ideal clients).

Lower-case, split on anything that is not a letter or digit, drop words shorter than three
letters and common filler words, then fold simple plurals (``trusts`` → ``trust``,
``families`` → ``family``). Two texts are compared by the overlap coefficient of their token
sets: shared tokens over the size of the smaller set, so a short specialty list fully covered
by a long profile scores 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

WORD = re.compile(r"[a-z0-9]+")
MIN_LENGTH = 3
STOPWORDS = frozenset(
    """
    about after all also already and any are but can clients client each for from has have
    her his how into its more most not one our out over per than that the their them they
    this those through too two usually often typically very want wants who whom with within
    who your you new work working
    """.split()  # noqa: SIM905 (a word list reads better as words)
)


def fold(word: str) -> str:
    """Singular of a simple English plural; anything else unchanged."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(*texts: str | Iterable[str]) -> frozenset[str]:
    """The token set of some texts (strings or lists of strings)."""
    found: set[str] = set()
    for text in texts:
        parts = [text] if isinstance(text, str) else list(text)
        for part in parts:
            for word in WORD.findall(part.lower()):
                if len(word) >= MIN_LENGTH and word not in STOPWORDS:
                    found.add(fold(word))
    return frozenset(found)


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / min(|a|, |b|); 0 when either side is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))
