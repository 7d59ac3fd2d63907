"""Where uploaded documents are kept: a small put/get/delete-by-key protocol.

The built-in backend writes files under ``RAPPORT_DATA_DIR/documents/<firm id>/``; a plugin
offers another (S3 or similar) through ``register_document_storage`` and
``RAPPORT_DOCUMENT_STORAGE`` names the one new uploads go to. Each stored version remembers
its backend and key, so files written before a switch stay readable.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from rapport_core.errors import RapportError
from rapport_core.settings import Settings, get_settings

DEFAULT_BACKEND = "filesystem"
_KEY = re.compile(r"^[0-9]+/[0-9a-f]{2}/[0-9a-f]{64}\.pdf$")


@runtime_checkable
class DocumentStorage(Protocol):
    """Bytes by key. Keys look like ``<firm id>/ab/<sha256>.pdf``; ``put`` of a key that
    exists is allowed (the content is the same: keys are content addresses)."""

    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...


def document_key(firm_id: int, sha256: str) -> str:
    return f"{firm_id}/{sha256[:2]}/{sha256}.pdf"


class FilesystemStorage:
    """Files under ``root``, written to a temporary name and renamed, so a reader never
    sees half a file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):  # keys never come from a request, but never trust a path
            raise ValueError(f"not a document key: {key!r}")
        return self.root / key

    async def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as temporary:
            temporary.write(data)
        os.chmod(temporary.name, 0o600)
        os.replace(temporary.name, path)

    async def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as error:
            raise RapportError(f"the stored document {key} is missing", field="file") from error

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


StorageFactory = Callable[[Settings], DocumentStorage]


def _filesystem(settings: Settings) -> DocumentStorage:
    return FilesystemStorage(settings.data_dir / "documents")


def storage_factories(pm=None) -> dict[str, StorageFactory]:
    """Every backend: the built-in one and those offered by plugins."""
    if pm is None:
        from rapport_core.plugins import get_plugin_manager

        pm = get_plugin_manager()
    factories: dict[str, StorageFactory] = {DEFAULT_BACKEND: _filesystem}

    def register(name: str, factory: StorageFactory) -> None:
        if name in factories:
            raise RapportError(f"two document storages are named {name!r}")
        factories[name] = factory

    pm.hook.register_document_storage(register=register)
    return factories


def backend_name() -> str:
    return os.environ.get("RAPPORT_DOCUMENT_STORAGE") or DEFAULT_BACKEND


def storage(name: str | None = None, pm=None) -> DocumentStorage:
    """The backend ``name`` (default: the configured one for new uploads)."""
    name = name or backend_name()
    factories = storage_factories(pm)
    if name not in factories:
        known = ", ".join(sorted(factories))
        raise RapportError(
            f"RAPPORT_DOCUMENT_STORAGE={name!r} is not an installed document storage ({known})"
        )
    return factories[name](get_settings())
