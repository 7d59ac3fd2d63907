"""Real PDFs for the agreement tests, made with pypdf."""

import io

from pypdf import PdfWriter


def make_pdf(text: str = "") -> bytes:
    """A one-page PDF; ``text`` goes into its metadata so each call can differ in content."""
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.add_metadata({"/Title": text or "agreement"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


async def upload(client, headers, fields: dict, pdf: bytes | None = None, name="signed.pdf"):
    files = {"file": (name, pdf if pdf is not None else make_pdf(str(fields)), "application/pdf")}
    return await client.post(
        "/api/v1/agreements",
        data={k: str(v) for k, v in fields.items()},
        files=files,
        headers=headers,
    )
