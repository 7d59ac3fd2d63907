"""``audit export``: a firm's events in a date range as JSON Lines and as a PDF, each event
with its chain hashes, so an auditor can check the range without access to Rapport."""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from rapport_core.audit.chain import stamp
from rapport_core.tables import AuditEvent

BATCH = 5_000


@dataclass
class ExportResult:
    events: int
    jsonl: Path
    pdf: Path
    first_prev_hash: str
    last_hash: str


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the start of ``first`` to the end of ``last`` (UTC days), as [start, end)."""
    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return start, end


async def events_between(
    firm_id: int, start: dt.datetime, end: dt.datetime, *, batch: int = BATCH
) -> AsyncIterator[dict]:
    """The firm's events with ``start <= at < end`` in chain (id) order, a batch at a time."""
    last_id = 0
    while True:
        rows = (
            await AuditEvent.select()
            .where(
                AuditEvent.firm == firm_id,
                AuditEvent.id > last_id,
                AuditEvent.at >= start,
                AuditEvent.at < end,
            )
            .order_by(AuditEvent.id)
            .limit(batch)
            .output(load_json=True)
        )
        if not rows:
            return
        for row in rows:
            yield row
        last_id = rows[-1]["id"]


def export_line(row: dict) -> dict:
    """One event as exported: what was hashed, plus id and hash."""
    return {
        "id": row["id"],
        "firm": row["firm"],
        "at": stamp(row["at"]),
        "actor": row["actor"],
        "action": row["action"],
        "subject_type": row["subject_type"],
        "subject_id": row["subject_id"],
        "before": row["before"],
        "after": row["after"],
        "prev_hash": row["prev_hash"],
        "hash": row["hash"],
    }


_PAGE_CSS = """
@page { size: A4 landscape; margin: 14mm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: sans-serif; font-size: 8pt; color: #1d2733; }
h1 { font-size: 14pt; margin: 0 0 4pt; }
p { margin: 2pt 0; }
table { width: 100%; border-collapse: collapse; margin-top: 8pt; table-layout: fixed; }
th, td { border-bottom: 0.5pt solid #c9d1da; padding: 3pt; text-align: left; vertical-align: top; word-wrap: break-word; }
th { background: #eef2f6; }
.hash { font-family: monospace; font-size: 6.5pt; }
"""


def _pdf_html(firm_name: str, first: dt.date, last: dt.date, lines: list[dict]) -> str:
    rows = "".join(
        "<tr>"
        f"<td>{line['id']}</td><td>{html.escape(line['at'])}</td>"
        f"<td>{html.escape(line['actor'])}</td><td>{html.escape(line['action'])}</td>"
        f"<td>{html.escape(line['subject_type'])} {html.escape(line['subject_id'])}</td>"
        f"<td class='hash'>{line['prev_hash'] or '(first event)'}</td>"
        f"<td class='hash'>{line['hash']}</td>"
        "</tr>"
        for line in lines
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>{_PAGE_CSS}</style></head>
<body><h1>Audit log: {html.escape(firm_name)}</h1>
<p>Events dated {first.isoformat()} to {last.isoformat()} (UTC): {len(lines)}.</p>
<p>Each hash is sha256 of the event's canonical JSON including prev_hash (docs/audit.md);
the full content of every event is in the JSON Lines file exported with this one.</p>
<table><colgroup><col style="width:6%"><col style="width:14%"><col style="width:14%">
<col style="width:10%"><col style="width:10%"><col style="width:23%"><col style="width:23%"></colgroup>
<thead><tr><th>Id</th><th>At</th><th>Actor</th><th>Action</th><th>Subject</th>
<th>Previous hash</th><th>Hash</th></tr></thead><tbody>{rows}</tbody></table></body></html>"""


async def export_audit(
    firm_id: int,
    firm_name: str,
    first: dt.date,
    last: dt.date,
    out_dir: Path,
    *,
    advance: Callable[[int], None] | None = None,
) -> ExportResult:
    """Write ``audit-<first>-<last>.jsonl`` and ``.pdf`` into ``out_dir``."""
    from weasyprint import HTML

    if last < first:
        from rapport_core.errors import Invalid

        raise Invalid("--to is before --from", field="to")
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"audit-{first.isoformat()}-{last.isoformat()}"
    jsonl, pdf = stem.with_suffix(".jsonl"), stem.with_suffix(".pdf")
    start, end = day_bounds(first, last)
    lines: list[dict] = []  # the PDF's rows: ids, times and hashes only
    with jsonl.open("w", encoding="utf-8") as out:
        async for row in events_between(firm_id, start, end):
            line = export_line(row)
            out.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
            lines.append(
                {
                    k: line[k]
                    for k in (
                        "id",
                        "at",
                        "actor",
                        "action",
                        "subject_type",
                        "subject_id",
                        "prev_hash",
                        "hash",
                    )
                }
            )
            if advance:
                advance(1)
    HTML(string=_pdf_html(firm_name, first, last, lines)).write_pdf(pdf)
    return ExportResult(
        events=len(lines),
        jsonl=jsonl,
        pdf=pdf,
        first_prev_hash=lines[0]["prev_hash"] if lines else "",
        last_hash=lines[-1]["hash"] if lines else "",
    )


async def export_file(
    firm_id: int, firm_name: str, first: dt.date, last: dt.date, file_format: str
) -> tuple[str, bytes]:
    """One of the export's two files, for a download: (file name, content)."""
    import tempfile

    if file_format not in ("jsonl", "pdf"):
        from rapport_core.errors import Invalid

        raise Invalid("format is jsonl or pdf", field="format")
    with tempfile.TemporaryDirectory() as folder:
        result = await export_audit(firm_id, firm_name, first, last, Path(folder))
        path = result.pdf if file_format == "pdf" else result.jsonl
        return path.name, path.read_bytes()


MEDIA_TYPES = {"jsonl": "application/x-ndjson", "pdf": "application/pdf"}
