"""What import callers send and receive (CLI, API and the upload wizard alike)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import field_validator

from rapport_core.importing.layouts import IGNORE, TARGETS
from rapport_core.schemas import Input, Output
from rapport_core.vocabulary import Profession


class ImportMode(StrEnum):
    #: Any row with a problem: nothing is written, the report lists every problem.
    all_or_nothing = "all_or_nothing"
    #: Rows with problems are left out and reported; the valid rows are written.
    skip_bad_rows = "skip_bad_rows"


class ImportOptions(Input):
    mode: ImportMode = ImportMode.all_or_nothing
    #: For rows that do not say (most contact exports have no profession column).
    default_profession: Profession = Profession.other
    #: Column name -> partner field ("" ignores it). Only for a CSV of unknown layout; a
    #: detected export uses its own mapping unless one is given here.
    mapping: dict[str, str] | None = None

    @field_validator("mapping")
    @classmethod
    def _known_targets(cls, mapping: dict[str, str] | None) -> dict[str, str] | None:
        for column, target in (mapping or {}).items():
            if target != IGNORE and target not in TARGETS:
                raise ValueError(
                    f"column {column!r}: {target!r} is not a partner field; use one of "
                    + ", ".join(TARGETS)
                )
        return mapping


class RowProblemOut(Output):
    row: int
    line: int
    field: str
    reason: str
    name: str = ""


class ImportCounts(Output):
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # the same partner again in the file
    failed: int = 0  # rows with a problem
    suggestions: int = 0  # possible duplicates for a person to merge or dismiss


class ImportReport(Output):
    id: int
    filename: str
    format: str
    status: str  # pending, imported, rejected
    mode: ImportMode | None
    counts: ImportCounts
    problems: list[RowProblemOut]
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ImportSummary(Output):
    """What the CLI prints with --json (a dry run has no stored report)."""

    format: str
    status: str
    counts: ImportCounts
    problems: list[RowProblemOut]


class ColumnPreview(Output):
    header: str
    target: str
    samples: list[str]


class ImportPreview(Output):
    """What the wizard shows before anything is written: the detected format, the mapping,
    the first rows as partners, and what the import would do."""

    id: int
    filename: str
    format: str
    format_label: str
    encoding: str
    delimiter: str
    needs_mapping: bool
    columns: list[ColumnPreview]
    first_rows: list[dict[str, str]]
    counts: ImportCounts
    problems: list[RowProblemOut]
