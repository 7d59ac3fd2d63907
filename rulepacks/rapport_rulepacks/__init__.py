"""Rapport's built-in compliance rule packs, offered through ``register_rulepacks``.

The packs are folders of YAML (a ``pack.yaml`` and ``rules/*.yaml``) grouped in families.
In a wheel they sit inside this package; in an editable install they sit beside it, in the
distribution's folder, so both places are searched.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rapport_core import hookimpl

__version__ = "2026.1.0"

#: The pack families, each a folder of pack folders.
FAMILIES = ("state_bar", "finra_sec", "insurance")


def families_root() -> Path:
    """The folder holding the families: this package (wheel) or its parent (editable)."""
    here = Path(__file__).resolve().parent
    for root in (here, here.parent):
        if all((root / family).is_dir() for family in FAMILIES):
            return root
    raise FileNotFoundError(
        f"rapport-rulepacks: no pack families {FAMILIES} in {here} or its parent"
    )


def pack_directories() -> list[Path]:
    """Every built-in pack folder (one holding a ``pack.yaml``), in a stable order."""
    root = families_root()
    return sorted(
        path.parent for family in FAMILIES for path in (root / family).glob("*/pack.yaml")
    )


@hookimpl
def register_rulepacks(register: Callable[[Path], None]) -> None:
    for directory in pack_directories():
        register(directory)
