"""Where packs come from: the ``register_rulepacks`` hook and the folders in
``RAPPORT_RULEPACK_PATH`` (separated like PATH)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from rapport_core.compliance.packs import Catalog, build_catalog

ENV_VAR = "RAPPORT_RULEPACK_PATH"


def registered_directories() -> list[Path]:
    from rapport_core.plugins import get_plugin_manager

    found: list[Path] = []
    get_plugin_manager().hook.register_rulepacks(register=lambda path: found.append(Path(path)))
    for entry in os.environ.get(ENV_VAR, "").split(os.pathsep):
        if entry.strip():
            found.append(Path(entry.strip()))
    return found


def load_catalog(extra: list[Path] | None = None) -> Catalog:
    """Every registered pack, plus ``extra`` folders (read first, so a pack being written
    wins over an installed one with the same id)."""
    extra = list(extra or [])
    return build_catalog([*extra, *registered_directories()], shadowing=len(extra))


@cache
def default_catalog() -> Catalog:
    """The registered packs, loaded once per process (the server, hooks)."""
    return load_catalog()
