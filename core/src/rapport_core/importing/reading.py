"""Reading a CSV file into rows: its encoding, its delimiter, its header line.

Spreadsheet exports come in three encodings in practice (UTF-8, UTF-8 with the byte-order
mark Excel writes, and Windows-1252 from older Outlook/Excel), with commas, semicolons
(European Excel) or tabs between fields, and quoted fields that span several lines.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from rapport_core.errors import Invalid

DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
#: How many leading records to look at when choosing the delimiter and the header.
SAMPLE_RECORDS = 50
csv.field_size_limit(10_000_000)  # a notes field may be long; the upload size caps the rest


@dataclass(frozen=True)
class SourceRow:
    """One data row: its number among the data rows (1 = first after the header), the file
    line it starts on, and its cells."""

    row: int
    line: int
    cells: list[str]


@dataclass
class CsvTable:
    encoding: str
    delimiter: str
    header_line: int
    headers: list[str]
    rows: list[SourceRow] = field(default_factory=list)


def decode(content: bytes, filename: str = "file") -> tuple[str, str]:
    """The text of ``content`` and the name of its encoding. A UTF-8 byte-order mark means
    UTF-8; otherwise strict UTF-8, and Windows-1252 when that fails (every other byte
    sequence a spreadsheet writes is valid Windows-1252, except five unused bytes)."""
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16"), "utf-16"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise Invalid(
            f"{filename}, line {line}: byte 0x{content[error.start]:02X} is neither UTF-8 nor "
            "Windows-1252; save the file as UTF-8 and try again",
            field="file",
        ) from error


def _records(text: str, delimiter: str, limit: int | None = None):
    """(first line, cells) of each CSV record; quoted fields may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    line = 1
    for count, cells in enumerate(reader):
        if limit is not None and count >= limit:
            return
        yield line, cells
        line = reader.line_num + 1


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the sample into the most rows of one width above one
    column (explicit, because csv.Sniffer is easily misled by commas inside quoted notes
    and by a preamble such as LinkedIn's)."""
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        widths = Counter(
            len(cells) for _, cells in _records(text, delimiter, SAMPLE_RECORDS) if any(cells)
        )
        widths.pop(1, None)
        if not widths:
            continue
        width, rows = widths.most_common(1)[0]
        if (rows, width) > best_score:
            best, best_score = delimiter, (rows, width)
    return best


def unique_headers(headers: list[str]) -> list[str]:
    """Column names as the mapping knows them: trimmed, a blank one named by its position,
    a repeated one numbered (``Email``, ``Email (2)``)."""
    seen: Counter[str] = Counter()
    names = []
    for position, header in enumerate(headers, start=1):
        name = header.strip() or f"Column {position}"
        seen[name] += 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def read_csv(
    text: str,
    encoding: str,
    *,
    is_header: Callable[[list[str]], bool] | None = None,
    filename: str = "file",
) -> CsvTable:
    """The rows of ``text``. The header is the first record ``is_header`` accepts (so a
    preamble of notes before it is skipped), else the first record with several cells."""
    delimiter = sniff_delimiter(text)
    records = list(_records(text, delimiter))
    header_index = None
    for index, (_, cells) in enumerate(records[:SAMPLE_RECORDS]):
        if is_header and is_header(cells):
            header_index = index
            break
    if header_index is None:
        header_index = next(
            (i for i, (_, cells) in enumerate(records) if len([c for c in cells if c]) > 1),
            None,
        )
    if header_index is None:
        raise Invalid(f"{filename}: no header row with column names was found", field="file")
    header_line, headers = records[header_index]
    table = CsvTable(encoding, delimiter, header_line, unique_headers(headers))
    data_row = 0
    for line, cells in records[header_index + 1 :]:
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are not rows
        data_row += 1
        table.rows.append(SourceRow(data_row, line, cells))
    return table
