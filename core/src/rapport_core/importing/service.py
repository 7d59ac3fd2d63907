"""Importing partners from a file: upload, preview, import, report.

An import is planned in full before anything is written: every row is validated and matched
against the firm's partners (external id first, then normalised email; the same name and
organisation only makes a merge suggestion). Then one transaction writes it all, or, in
all-or-nothing mode with any problem, nothing at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.errors import Conflict, Invalid
from rapport_core.identity import email_key, name_key
from rapport_core.importing import layouts
from rapport_core.importing.layouts import GENERIC, VCARD, Layout
from rapport_core.importing.reading import DELIMITER_NAMES, SourceRow, decode, read_csv
from rapport_core.importing.records import (
    Candidate,
    Parsed,
    Problem,
    build_partner,
    candidate_from_row,
    mapped_columns,
)
from rapport_core.importing.schemas import (
    ColumnPreview,
    ImportCounts,
    ImportMode,
    ImportOptions,
    ImportPreview,
    ImportReport,
    RowProblemOut,
)
from rapport_core.importing.tables import ImportRun
from rapport_core.importing.vcards import looks_like_vcard, read_vcards
from rapport_core.schemas import PartnerOut, PartnerUpdate
from rapport_core.services.common import get_scoped, transaction
from rapport_core.services.partners import (
    announce_partners,
    change_partner_in_transaction,
    insert_partners,
    partner_out,
)
from rapport_core.suggestions.tables import MergeSuggestion
from rapport_core.tables import Partner

#: The largest file accepted (about 100,000 contacts).
MAX_BYTES = 20_000_000
PREVIEW_ROWS = 5
#: progress(phase, done, total): "checking" rows, then "writing" partners.
Progress = Callable[[str, int, int], None]


def _no_progress(phase: str, done: int, total: int) -> None:
    pass


# ------------------------------------------------------------------------ reading


@dataclass
class Source:
    """A file as read: its layout and its rows (CSV) or cards (vCard)."""

    filename: str
    layout: Layout
    encoding: str
    delimiter: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[SourceRow] = field(default_factory=list)
    cards: list[Candidate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # cards that cannot be read

    @property
    def total(self) -> int:
        return len(self.rows) + len(self.cards) + len(self.problems)

    def mapping(self, options: ImportOptions) -> dict[str, str]:
        if options.mapping is not None:
            unknown = [column for column in options.mapping if column not in self.headers]
            if unknown:
                raise Invalid(
                    f"{self.filename} has no column {unknown[0]!r}; its columns are "
                    + ", ".join(self.headers),
                    field="mapping",
                )
            return {h: options.mapping.get(h, layouts.IGNORE) for h in self.headers}
        if self.layout is GENERIC:
            return layouts.guess_mapping(self.headers)
        return layouts.layout_mapping(self.layout, self.headers)

    def candidates(self, mapping: dict[str, str]) -> list[Candidate]:
        if self.layout is VCARD:
            return self.cards
        columns = mapped_columns(self.headers, mapping)
        return [candidate_from_row(row, columns) for row in self.rows]


def read_source(content: bytes, filename: str) -> Source:
    if not content.strip():
        raise Invalid(f"{filename} is empty", field="file")
    if len(content) > MAX_BYTES:
        raise Invalid(
            f"{filename} is {len(content):,} bytes; the largest import is {MAX_BYTES:,}",
            field="file",
        )
    text, encoding = decode(content, filename)
    if looks_like_vcard(text):
        cards, problems = read_vcards(text)
        return Source(filename, VCARD, encoding, cards=cards, problems=problems)
    table = read_csv(text, encoding, is_header=layouts.is_known_header, filename=filename)
    layout = layouts.detect_layout(table.headers) or GENERIC
    return Source(filename, layout, encoding, table.delimiter, table.headers, table.rows)


# ------------------------------------------------------------------------ planning


@dataclass
class Plan:
    """What an import would do, decided before anything is written."""

    rows: int = 0
    creates: list[Parsed] = field(default_factory=list)
    #: For each partner to create that resembles an existing one: (index in creates, id).
    suggestions: list[tuple[int, int]] = field(default_factory=list)
    updates: list[tuple[PartnerOut, PartnerUpdate]] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[Problem] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)

    def counts(self) -> ImportCounts:
        return ImportCounts(
            rows=self.rows,
            created=len(self.creates),
            updated=len(self.updates),
            unchanged=self.unchanged,
            skipped=len(self.skipped),
            failed=len({(p.row, p.line) for p in self.failed}),
            suggestions=len(self.suggestions),
        )

    def problems(self) -> list[Problem]:
        return sorted([*self.failed, *self.skipped], key=lambda p: (p.row, p.line, p.field))


#: Fields a re-import fills when the partner has them empty.
FILLED_WHEN_EMPTY = ("organisation", "email", "phone", "address", "city", "state", "postal_code",
                     "notes", "registration")  # fmt: skip
LIST_FIELDS = ("specialties", "tags")


@dataclass
class _Existing:
    """The firm's partners by their matching keys, with the fields a re-import compares:
    loaded in one query, looked up in memory."""

    rows: dict[int, dict] = field(default_factory=dict)
    by_external: dict[str, int] = field(default_factory=dict)
    by_email: dict[str, int] = field(default_factory=dict)
    by_name: dict[str, int] = field(default_factory=dict)

    @classmethod
    async def load(cls, firm_id: int, id_key: str) -> _Existing:
        index = cls()
        columns = [Partner._meta.get_column_by_name(name) for name in
                   ("id", "name", "external_ids", *FILLED_WHEN_EMPTY, *LIST_FIELDS)]  # fmt: skip
        rows = (
            await Partner.select(*columns)
            .where(Partner.firm == firm_id)
            .order_by(Partner.id)
            .output(load_json=True)
        )
        for row in rows:
            row["external_ids"] = row["external_ids"] or {}
            index.rows[row["id"]] = row
            external = row["external_ids"].get(id_key)
            if external:
                index.by_external.setdefault(external, row["id"])
            if key := email_key(row["email"]):
                index.by_email.setdefault(key, row["id"])
            if key := name_key(row["name"], row["organisation"]):
                index.by_name.setdefault(key, row["id"])
        return index


def _fill(existing: dict, parsed: Parsed, id_key: str) -> PartnerUpdate:
    """A re-import completes a partner, never overwrites: empty fields are filled, lists and
    ids gain what is new, and what people have edited in Rapport stays."""
    new = parsed.partner
    sent: dict = {}
    for name in FILLED_WHEN_EMPTY:
        if not existing[name] and getattr(new, name):
            sent[name] = getattr(new, name)
    for name in LIST_FIELDS:
        added = [item for item in getattr(new, name) if item not in existing[name]]
        if added:
            sent[name] = [*existing[name], *added]
    if parsed.external_id and id_key not in existing["external_ids"]:
        sent["external_ids"] = {**existing["external_ids"], id_key: parsed.external_id}
    return PartnerUpdate(**sent)


async def _existing_partners(actor: Actor, ids: list[int]) -> dict[int, PartnerOut]:
    found: dict[int, PartnerOut] = {}
    for start in range(0, len(ids), 500):
        rows = (
            await Partner.select()
            .where(Partner.firm == actor.firm_id, Partner.id.is_in(ids[start : start + 500]))
            .output(load_json=True)
        )
        found.update({row["id"]: partner_out(row) for row in rows})
    return found


async def make_plan(
    actor: Actor, source: Source, options: ImportOptions, progress: Progress = _no_progress
) -> Plan:
    layout = source.layout
    plan = Plan(rows=source.total, failed=list(source.problems))
    existing = await _existing_index(actor, layout)
    candidates = source.candidates(source.mapping(options))
    progress("checking", 0, len(candidates))
    seen: dict[str, int] = {}  # a key already met in this file -> its row
    matched: list[tuple[Parsed, int]] = []
    matched_rows: dict[int, int] = {}  # existing partner -> the row that matched it
    for done, candidate in enumerate(candidates, start=1):
        if done % 1000 == 0:
            progress("checking", done, len(candidates))
        parsed = build_partner(
            candidate,
            default_profession=options.default_profession,
            source=layout.source,
            id_key=layout.id_key,
        )
        if isinstance(parsed, list):
            plan.failed += parsed
            continue
        keys = [("external_id", parsed.external_id), ("email", parsed.email_key)]
        earlier = next(((what, seen[v]) for what, v in keys if v and v in seen), None)
        if earlier:
            what, row = earlier
            plan.skipped.append(
                Problem(
                    parsed.row,
                    parsed.line,
                    what,
                    f"the same {what.replace('_', ' ')} as row {row}; only that row is imported",
                    parsed.partner.name,
                )
            )
            continue
        for _, value in keys:
            if value:
                seen[value] = parsed.row
        match = existing.by_external.get(parsed.external_id) or existing.by_email.get(
            parsed.email_key
        )
        if match in matched_rows:
            plan.skipped.append(
                Problem(
                    parsed.row,
                    parsed.line,
                    "row",
                    f"matches the same partner as row {matched_rows[match]}; only that "
                    "row is imported",
                    parsed.partner.name,
                )  # fmt: skip
            )
            continue
        if match:
            matched_rows[match] = parsed.row
            matched.append((parsed, match))
            continue
        if parsed.name_key in existing.by_name:
            plan.suggestions.append((len(plan.creates), existing.by_name[parsed.name_key]))
        plan.creates.append(parsed)
    progress("checking", len(candidates), len(candidates))
    fills = [
        (match, _fill(existing.rows[match], parsed, layout.id_key)) for parsed, match in matched
    ]
    changing = [(match, fill) for match, fill in fills if fill.model_fields_set]
    plan.unchanged = len(fills) - len(changing)
    partners = await _existing_partners(actor, sorted({match for match, _ in changing}))
    plan.updates = [(partners[match], fill) for match, fill in changing]
    return plan


async def _existing_index(actor: Actor, layout: Layout) -> _Existing:
    return await _Existing.load(actor.firm_id, layout.id_key)


# ------------------------------------------------------------------------ runs


def problem_out(problem: Problem) -> RowProblemOut:
    return RowProblemOut(
        row=problem.row,
        line=problem.line,
        field=problem.field,
        reason=problem.reason,
        name=problem.name,
    )


def _report(row: dict) -> ImportReport:
    return ImportReport(
        id=row["id"],
        filename=row["filename"],
        format=row["format"],
        status=row["status"],
        mode=row["mode"],
        counts=ImportCounts(**(row["counts"] or {})),
        problems=[RowProblemOut(**p) for p in row["problems"] or []],
        created_at=row["created_at"],
        finished_at=row["finished_at"],
    )


async def create_run(actor: Actor, content: bytes, filename: str) -> int:
    """Keep an uploaded file until it is imported, after checking that it can be read."""
    return (await _create_run(actor, content, filename))[0]


async def _create_run(actor: Actor, content: bytes, filename: str) -> tuple[int, Source]:
    actor.require_write()
    filename = (filename or "upload").rsplit("/", 1)[-1][:255]
    source = read_source(content, filename)
    run = ImportRun(
        firm=actor.firm_id,
        created_by=actor.label,
        filename=filename,
        content=content,
        format=source.layout.name,
        created_at=now(),
    )
    await run.save()
    return run.id, source


async def _pending_source(
    actor: Actor, run_id: int, source: Source | None = None
) -> tuple[dict, Source]:
    """A pending upload and its file, read (unless the caller has just read it)."""
    row = await get_scoped(ImportRun, actor, run_id, "import")
    if row["status"] != "pending":
        raise Conflict(f"import {run_id} is already {row['status']}", field="import")
    return row, source or read_source(bytes(row["content"]), row["filename"])


async def read_run(actor: Actor, run_id: int) -> Source:
    """A pending upload's file, read (its layout, columns and rows)."""
    return (await _pending_source(actor, run_id))[1]


async def preview_run(
    actor: Actor, run_id: int, options: ImportOptions, *, source: Source | None = None
) -> ImportPreview:
    """What importing with ``options`` would do; nothing is written."""
    row, source = await _pending_source(actor, run_id, source)
    mapping = source.mapping(options)
    plan = await make_plan(actor, source, options)
    first = source.candidates(mapping)[:PREVIEW_ROWS]
    columns = [
        ColumnPreview(
            header=header,
            target=mapping.get(header, ""),
            samples=[r.cells[i] if i < len(r.cells) else "" for r in source.rows[:3]],
        )
        for i, header in enumerate(source.headers)
    ]
    return ImportPreview(
        id=run_id,
        filename=row["filename"],
        format=source.layout.name,
        format_label=source.layout.label,
        encoding=source.encoding,
        delimiter=DELIMITER_NAMES.get(source.delimiter, ""),
        needs_mapping=source.layout is GENERIC,
        columns=columns,
        first_rows=[_shown(candidate, options) for candidate in first],
        counts=plan.counts(),
        problems=[problem_out(p) for p in plan.problems()],
    )


def _shown(candidate: Candidate, options: ImportOptions) -> dict[str, str]:
    """A preview row as the partner it becomes (or its first problem)."""
    parsed = build_partner(
        candidate, default_profession=options.default_profession, source="csv", id_key="csv"
    )
    if isinstance(parsed, list):
        return {"row": str(candidate.row), "problem": f"{parsed[0].field}: {parsed[0].reason}"}
    partner = parsed.partner
    return {
        "row": str(candidate.row),
        "name": partner.name,
        "organisation": partner.organisation,
        "profession": partner.profession.value,
        "email": partner.email or "",
        "phone": partner.phone or "",
        "location": ", ".join(p for p in (partner.city, partner.state) if p),
        "problem": "",
    }


async def run_import(
    actor: Actor,
    run_id: int,
    options: ImportOptions,
    progress: Progress = _no_progress,
    *,
    source: Source | None = None,
) -> ImportReport:
    """Import a pending upload. All-or-nothing with any problem writes no partner; either
    way the report is kept and the file is dropped."""
    actor.require_write()
    _, source = await _pending_source(actor, run_id, source)
    plan = await make_plan(actor, source, options, progress)
    problems = [problem_out(p).model_dump() for p in plan.problems()]
    finished = {
        ImportRun.mode: options.mode.value,
        ImportRun.content: b"",
        ImportRun.finished_at: now(),
    }
    if plan.failed and options.mode is ImportMode.all_or_nothing:
        counts = plan.counts().model_copy(update={"created": 0, "updated": 0, "suggestions": 0})
        await ImportRun.update(
            {
                **finished,
                ImportRun.status: "rejected",
                ImportRun.counts: counts.model_dump(),
                ImportRun.problems: problems,
            }
        ).where(ImportRun.id == run_id, ImportRun.firm == actor.firm_id)
        return await get_report(actor, run_id)

    total = len(plan.creates)
    written = 0
    progress("writing", 0, total)

    def wrote(count: int) -> None:
        nonlocal written
        written += count
        progress("writing", written, total)

    async with transaction():
        # Claim the run first: a second click or a second process finds it taken.
        claimed = (
            await ImportRun.update({ImportRun.status: "importing"})
            .where(
                ImportRun.id == run_id,
                ImportRun.firm == actor.firm_id,
                ImportRun.status == "pending",
            )
            .returning(ImportRun.id)
        )
        if not claimed:
            raise Conflict(f"import {run_id} is already running or done", field="import")
        created = await insert_partners(actor, [p.partner for p in plan.creates], on_chunk=wrote)
        updated = []
        for before, fill in plan.updates:
            after, changed = await change_partner_in_transaction(actor, before, fill)
            updated.append((after, changed))
        stamp = now()
        suggestions = [
            MergeSuggestion(
                firm=actor.firm_id,
                partner=earlier,
                origin="import",
                source=source.filename,
                reason="same name and organisation",
                duplicate=created[index].id,
                import_run=run_id,
                created_at=stamp,
            )
            for index, earlier in plan.suggestions
        ]
        for start in range(0, len(suggestions), 500):
            await MergeSuggestion.insert(*suggestions[start : start + 500])
        counts = plan.counts().model_dump()
        await ImportRun.update(
            {
                **finished,
                ImportRun.status: "imported",
                ImportRun.counts: counts,
                ImportRun.problems: problems,
            }
        ).where(ImportRun.id == run_id, ImportRun.firm == actor.firm_id)
        await audit.record(
            actor,
            "partner.import",
            "import",
            run_id,
            after={"filename": source.filename, "format": source.layout.name, **counts},
        )
    await announce_partners(actor, created, updated)
    return await get_report(actor, run_id)


async def import_file(
    actor: Actor,
    content: bytes,
    filename: str,
    options: ImportOptions,
    progress: Progress = _no_progress,
) -> ImportReport:
    """Upload and import in one go (the CLI and the API)."""
    run_id, source = await _create_run(actor, content, filename)
    return await run_import(actor, run_id, options, progress, source=source)


async def get_report(actor: Actor, run_id: int) -> ImportReport:
    return _report(await get_scoped(ImportRun, actor, run_id, "import"))


async def list_runs(actor: Actor, limit: int = 20) -> list[ImportReport]:
    rows = (
        await ImportRun.select(*[c for c in ImportRun._meta.columns if c._meta.name != "content"])
        .where(ImportRun.firm == actor.firm_id)
        .order_by(ImportRun.id, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
    return [_report(row) for row in rows]


REPORT_COLUMNS = ("row", "line", "name", "field", "reason")


def report_csv(problems: list[RowProblemOut]) -> str:
    """The rows that were not imported, one line each, for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REPORT_COLUMNS)
    for problem in problems:
        writer.writerow([getattr(problem, column) for column in REPORT_COLUMNS])
    return out.getvalue()
