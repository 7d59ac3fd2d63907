"""`rapport tax …` as a person runs it, against the test database."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium

from tests.tax.helpers import paid, partner, w9_on_file

RAPPORT = str(Path(sys.executable).parent / "rapport")


def rapport(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [RAPPORT, *args], capture_output=True, text=True, env=os.environ.copy(), timeout=300
    )


async def test_payer_link_and_1099_from_the_command_line(firm, tmp_path):
    pid = await partner(firm, "Grace Hopper")
    await w9_on_file(firm, pid)
    await paid(firm, pid, 250000, dt.date(2026, 3, 1))
    ok = rapport("tax", "payer", "--firm", firm.slug, "--legal-name", "Harbor", "--tin",
                 "12-3456789", "--address", "1 Main", "--city", "Tampa", "--state", "FL",
                 "--postal-code", "33602", "--phone", "813-555-0100", "--tcc", "5a123")  # fmt: skip
    assert ok.returncode == 0 and "**-***6789" in ok.stdout

    link = rapport("tax", "w9-link", "Grace Hopper", "--firm", firm.slug)
    assert link.returncode == 0 and "/w9/" in link.stdout and "works once" in link.stdout

    fire = tmp_path / "fire.txt"
    made = rapport("tax", "1099", "--year", "2026", "--out", str(tmp_path), "--fire", str(fire),
                   "--firm", firm.slug)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "1 1099-NEC PDFs for 2026 (generated)" in made.stdout
    pdf = tmp_path / f"1099-NEC-2026-P{pid}.pdf"
    assert len(pdfium.PdfDocument(pdf.read_bytes())) == 5
    assert (tmp_path / "1096-summary-2026.pdf").exists()
    assert rapport("tax", "fire-validate", str(fire)).stdout.strip().endswith("valid")
