"""Encryption at rest for secrets Rapport must read back: TINs, OAuth tokens.

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) under a list of keys: the first
encrypts, every one decrypts, so a key can be rotated without re-encrypting at once
(:func:`rotate` re-encrypts one value under the current key). Keys come from
``RAPPORT_ENCRYPTION_KEYS`` (comma-separated Fernet keys, newest first) or, when unset, from
``encryption_keys`` in the data directory, created once. Lose the keys and the secrets are
gone: back that file up with the database, but never in the same place.
"""

from __future__ import annotations

import os
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from rapport_core.errors import RapportError
from rapport_core.settings import get_settings


class SecretUnreadable(RapportError):
    """A stored secret that none of the configured keys can decrypt."""


def _configured_keys() -> list[str]:
    if value := os.environ.get("RAPPORT_ENCRYPTION_KEYS"):
        return [key.strip() for key in value.split(",") if key.strip()]
    path = get_settings().data_dir / "encryption_keys"
    if not path.exists():
        path.write_text(Fernet.generate_key().decode() + "\n")
        path.chmod(0o600)
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


@cache
def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in _configured_keys()])
    except (ValueError, TypeError) as error:
        raise RapportError(
            "RAPPORT_ENCRYPTION_KEYS must hold Fernet keys (32 url-safe base64-encoded bytes), "
            "comma-separated, newest first"
        ) from error


def encrypt(plaintext: str) -> str:
    """``plaintext`` encrypted under the current key, as ASCII text for a Text column."""
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable(
            "a stored secret cannot be decrypted with the configured encryption keys"
        ) from error


def rotate(token: str) -> str:
    """The same secret re-encrypted under the current (first) key."""
    return _fernet().rotate(token.encode()).decode()
