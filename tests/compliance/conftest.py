from pathlib import Path

import pytest

PACKS = Path(__file__).parent / "packs"
GOOD = PACKS / "good"
BROKEN = PACKS / "broken"


@pytest.fixture
def good_packs(monkeypatch):
    """The good test packs registered through RAPPORT_RULEPACK_PATH, for this test only."""
    from rapport_core.compliance import catalog

    monkeypatch.setenv("RAPPORT_RULEPACK_PATH", str(GOOD))
    catalog.default_catalog.cache_clear()
    yield catalog.default_catalog()
    monkeypatch.delenv("RAPPORT_RULEPACK_PATH")
    catalog.default_catalog.cache_clear()
