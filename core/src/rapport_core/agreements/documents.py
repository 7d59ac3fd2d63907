"""Accepting an uploaded file as an agreement document: only real PDFs, within a size limit."""

from __future__ import annotations

import hashlib
import io
import logging

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from rapport_core.errors import Invalid

#: Largest upload accepted (the server's request limit is a little above it).
MAX_BYTES = 10 * 1024 * 1024
MAX_NAME = 255


def checked_pdf(data: bytes, filename: str) -> str:
    """The sha256 of ``data`` once it is known to be a readable PDF; otherwise an error on
    the ``file`` field that says why."""
    name = filename or "the file"
    if not data:
        raise Invalid(f"{name} is empty", field="file")
    if len(data) > MAX_BYTES:
        raise Invalid(
            f"{name} is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_BYTES // 1024 // 1024} MB",
            field="file",
        )
    if not data.startswith(b"%PDF-"):
        raise Invalid(
            f"{name} is not a PDF: a PDF file begins with %PDF-, this one with {data[:8]!r}",
            field="file",
        )
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its repair notes are not ours
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Invalid(
                f"{name} is password-protected; upload a copy without a password",
                field="file",
            )
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise Invalid(
            f"{name} looks like a PDF but cannot be read ({error})", field="file"
        ) from error
    if pages == 0:
        raise Invalid(f"{name} is a PDF with no pages", field="file")
    return hashlib.sha256(data).hexdigest()


def clean_filename(filename: str | None) -> str:
    """The original name, kept for people (never used as a path)."""
    name = (filename or "agreement.pdf").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (name or "agreement.pdf")[:MAX_NAME]
