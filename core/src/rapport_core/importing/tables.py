"""Tables of the import domain: each import with its report (its merge suggestions are in
:mod:`rapport_core.suggestions`)."""

from __future__ import annotations

from piccolo.columns import JSON, Bytea, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from rapport_core.tables import Firm


class ImportRun(Table, tablename="rapport_import_run"):
    """One file brought in: uploaded (``pending``), then ``imported`` or ``rejected``
    (all-or-nothing with problems: nothing written). The file is kept only until it is
    imported or rejected; the report (counts and per-row problems) stays."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    created_by = Varchar(length=300)
    filename = Varchar(length=255)
    content = Bytea(default=b"")
    format = Varchar(length=20)
    status = Varchar(length=20, default="pending")
    mode = Varchar(length=20, null=True, default=None)
    counts = JSON(default="{}")
    problems = JSON(default="[]")
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
