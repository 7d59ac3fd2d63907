"""The fact vocabulary and its documentation stay in step."""

from pathlib import Path

from rapport_core.compliance.vocabulary import vocabulary

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_fact_is_documented():
    text = (DOCS / "facts.md").read_text()
    missing = [path for path in vocabulary() if f"`{path}`" not in text]
    assert missing == []


def test_the_example_document_uses_only_known_facts():
    from rapport_core.compliance import documents

    assert documents.check(documents.DEFAULTS) == []


def test_the_docs_name_each_facts_source_as_the_vocabulary_does():
    text = (DOCS / "facts.md").read_text()
    documented = {
        row[0].strip("`"): row[-1]
        for line in text.splitlines()
        if line.startswith("| `")
        for row in [[cell.strip() for cell in line.strip("|").split("|")]]
    }
    assert {path: spec.source for path, spec in vocabulary().items()} == documented
