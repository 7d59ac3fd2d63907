"""The fact vocabulary as data (``facts.yaml``): every path a rule may read and its type."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

#: Types a comparison may use, and the literal types each accepts.
COMPARABLE = {"string", "state", "boolean", "date", "money", "share", "number"}
NUMERIC = {"money", "share", "number"}
ORDERED = NUMERIC | {"date"}


@dataclass(frozen=True)
class FactSpec:
    path: str
    type: str
    meaning: str
    source: str = ""
    values: tuple[str, ...] = ()
    children: tuple[str, ...] = field(default=())


@cache
def vocabulary() -> dict[str, FactSpec]:
    """Every fact path, parents before their fields."""
    raw = yaml.safe_load((Path(__file__).parent / "facts.yaml").read_text(encoding="utf-8"))
    specs: dict[str, FactSpec] = {}

    def walk(prefix: str, entries: dict) -> None:
        for name, entry in entries.items():
            path = f"{prefix}{name}"
            fields = entry.get("fields") or {}
            specs[path] = FactSpec(
                path=path,
                type=entry["type"],
                meaning=entry.get("meaning", ""),
                source=entry.get("source", ""),
                values=tuple(entry.get("values") or ()),
                children=tuple(fields),
            )
            walk(f"{path}.", fields)

    walk("", raw)
    return specs


def lookup(path: str) -> FactSpec | None:
    return vocabulary().get(path)


def unknown_path_message(path: str) -> str:
    """Why ``path`` is not a fact, naming the valid names at the level where it went wrong."""
    specs = vocabulary()
    parts = path.split(".")
    for depth in range(len(parts) - 1, -1, -1):
        parent = ".".join(parts[:depth])
        if depth and parent not in specs:
            continue
        names = list(specs[parent].children) if depth else [p for p in specs if "." not in p]
        wrong = parts[depth]
        if depth and not names:
            return f"{parent} ({specs[parent].type}) has no fields"
        close = difflib.get_close_matches(wrong, names, n=1)
        hint = f"did you mean {'.'.join([*parts[:depth], close[0]])}? " if close else ""
        where = f"fields of {parent}" if depth else "top-level facts"
        return f"unknown fact {path!r}: {hint}valid {where}: {', '.join(names)}"
    return f"unknown fact {path!r}"
