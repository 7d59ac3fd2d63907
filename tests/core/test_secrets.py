"""Secrets are encrypted at rest and readable under rotated keys."""

import pytest
from cryptography.fernet import Fernet
from rapport_core import secrets


@pytest.fixture
def keys(monkeypatch):
    """Configure explicit keys for one test, and forget the cached cipher around it."""

    def use(*keys: bytes) -> None:
        monkeypatch.setenv("RAPPORT_ENCRYPTION_KEYS", ",".join(k.decode() for k in keys))
        secrets._fernet.cache_clear()

    yield use
    secrets._fernet.cache_clear()


def test_round_trip_without_the_plaintext_in_the_stored_form(keys):
    keys(Fernet.generate_key())
    stored = secrets.encrypt("123-45-6789")
    assert "123-45-6789" not in stored and "6789" not in stored
    assert secrets.decrypt(stored) == "123-45-6789"
    assert secrets.encrypt("123-45-6789") != stored  # a fresh IV each time


def test_rotation_keeps_old_secrets_readable(keys):
    old, new = Fernet.generate_key(), Fernet.generate_key()
    keys(old)
    stored = secrets.encrypt("refresh-token")
    keys(new, old)
    assert secrets.decrypt(stored) == "refresh-token"
    rotated = secrets.rotate(stored)
    keys(new)
    assert secrets.decrypt(rotated) == "refresh-token"
    with pytest.raises(secrets.SecretUnreadable):
        secrets.decrypt(stored)


def test_a_bad_key_is_a_clear_error(keys):
    keys(b"not-a-key")
    with pytest.raises(Exception, match="RAPPORT_ENCRYPTION_KEYS must hold Fernet keys"):
        secrets.encrypt("x")


def test_generated_key_file_when_unconfigured(monkeypatch):
    monkeypatch.delenv("RAPPORT_ENCRYPTION_KEYS", raising=False)
    secrets._fernet.cache_clear()
    try:
        stored = secrets.encrypt("secret")
        key_file = secrets.get_settings().data_dir / "encryption_keys"
        assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
        secrets._fernet.cache_clear()  # read back from the file
        assert secrets.decrypt(stored) == "secret"
    finally:
        secrets._fernet.cache_clear()
