"""1099-NEC and 1096-style summary PDFs, drawn with WeasyPrint from the HTML in ``forms/``.

One PDF per payee holds Copy A (marked not for paper filing: the IRS only accepts its
red-ink scannable form), Copy 1, Copy B, Copy 2 and Copy C. The recipient's copies (B and
2) show the TIN truncated to its last four digits, as the instructions allow; the payer's
TIN is never truncated.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2

FORMS = Path(__file__).with_name("forms")
COPY_B_NOTICE = (
    "This is important tax information and is being furnished to the IRS. If you are "
    "required to file a return, a negligence penalty or other sanction may be imposed on you "
    "if this income is taxable and the IRS determines that it has not been reported."
)
PRIVACY_NOTICE = (
    "For Privacy Act and Paperwork Reduction Act Notice, see the current General "
    "Instructions for Certain Information Returns."
)
#: (copy, legend, footer, notice, whether the recipient's TIN is shown in full)
COPIES = (
    ("A", "For Internal Revenue Service Center", "File with Form 1096.", PRIVACY_NOTICE, True),
    ("1", "For State Tax Department", "", "", True),
    ("B", "For Recipient", "(keep for your records)", COPY_B_NOTICE, False),
    ("2", "To be filed with recipient’s state income tax return, when required.", "", "", False),
    ("C", "For Payer", "", PRIVACY_NOTICE, True),
)


@dataclass(frozen=True)
class FormData:
    year: int
    payer: dict
    payer_tin: str  # formatted, in full
    payee: dict  # name, business_name, address, city, state, postal_code
    recipient_tin: str  # formatted, in full ("" when none on file)
    recipient_tin_masked: str
    box1_cents: int
    box4_cents: int
    account: str
    state_number: str = ""
    state_income_cents: int = 0
    state_withheld_cents: int = 0


def dollars(cents: int) -> str:
    """Whole cents as ``1,234.56`` (exact: no floating point)."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100:,}.{cents % 100:02d}"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(FORMS), autoescape=True, undefined=jinja2.StrictUndefined
    )


@cache
def _css() -> str:
    return (FORMS / "style.css").read_text()


def nec_html(form: FormData) -> str:
    copies = [
        {
            "key": key,
            "legend": legend,
            "footer": footer,
            "notice": notice,
            "recipient_tin": (form.recipient_tin if full else form.recipient_tin_masked)
            or "applied for / none",
        }
        for key, legend, footer, notice, full in COPIES
    ]
    state = (
        {
            "withheld": f"$ {dollars(form.state_withheld_cents)}",
            "number": form.state_number,
            "income": f"$ {dollars(form.state_income_cents)}",
        }
        if form.state_number
        else {"withheld": "", "number": "", "income": ""}
    )
    return (
        _environment()
        .get_template("nec.html")
        .render(
            css=_css(),
            copies=copies,
            year=form.year,
            payer=form.payer,
            payer_tin=form.payer_tin,
            payee=form.payee,
            box1=dollars(form.box1_cents),
            box4=dollars(form.box4_cents) if form.box4_cents else "",
            account=form.account,
            state=state,
        )
    )


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported when used: it loads Pango

    return HTML(string=html, base_url=str(FORMS)).write_pdf()


def nec_pdf(form: FormData) -> bytes:
    return render_pdf(nec_html(form))


#: Payees a worker draws per task: enough to amortise the hand-off, few enough for a smooth
#: progress bar and an even spread. A year of one chunk or less is drawn in this process
#: (starting a worker, which imports WeasyPrint, costs about as much as a few payees).
CHUNK = 10


def _nec_chunk(forms: Sequence[FormData]) -> list[bytes]:
    return [nec_pdf(form) for form in forms]


def workers() -> int:
    """Processes to draw PDFs with: the CPUs this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


async def nec_pdfs(
    forms: Sequence[FormData],
    *,
    progress: Callable[[int, int], None] | None = None,
    processes: int | None = None,
    chunk: int = CHUNK,
) -> list[bytes]:
    """Every payee's own 1099-NEC PDF, in the order of ``forms``.

    Nearly all the time is WeasyPrint laying out text (a document's fixed cost is ~30 ms of
    ~350 ms per payee, and one big document for many payees measured slower, not faster),
    so the payees are spread over worker processes, one document each. The workers are
    spawned, not forked: the caller may be a server with threads and open connections.
    """
    total = len(forms)
    processes = min(processes or workers(), -(-total // chunk))
    if processes <= 1:
        pdfs = []
        for form in forms:
            pdfs.append(nec_pdf(form))
            if progress:
                progress(len(pdfs), total)
        return pdfs
    chunks = [list(forms[i : i + chunk]) for i in range(0, total, chunk)]
    results: list[list[bytes]] = [[] for _ in chunks]
    loop = asyncio.get_running_loop()
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes, mp_context=spawn) as pool:
        pending = {
            loop.run_in_executor(pool, _nec_chunk, part): index for index, part in enumerate(chunks)
        }
        drawn = 0
        while pending:
            finished, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for future in finished:
                index = pending.pop(future)
                results[index] = future.result()
                drawn += len(results[index])
            if progress:
                progress(drawn, total)
    return [pdf for chunk in results for pdf in chunk]


def summary_pdf(year: int, payer: dict, payer_tin: str, rows: list[dict]) -> bytes:
    html = (
        _environment()
        .get_template("summary.html")
        .render(
            css=_css(),
            year=year,
            payer=payer,
            payer_tin=payer_tin,
            count=len(rows),
            box1_total=dollars(sum(r["box1_cents"] for r in rows)),
            box4_total=dollars(sum(r["box4_cents"] for r in rows)),
            rows=[
                {
                    "name": r["name"],
                    "tin": r["tin_masked"],
                    "box1": dollars(r["box1_cents"]),
                    "box4": dollars(r["box4_cents"]),
                    "sha": r["sha256"],
                }
                for r in rows
            ],
        )
    )
    return render_pdf(html)
