"""Configuration read from the environment, with defaults that work on a fresh machine."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import platformdirs


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str
    #: An argon2-cffi profile name (argon2.profiles) for new password hashes.
    argon2_profile: str = "RFC_9106_LOW_MEMORY"
    #: Where approved partner updates are sent: smtp://, smtps:// or smtp+starttls://
    #: [user:password@]host[:port]. Empty: approved updates are left for a person to copy.
    smtp_url: str = ""
    #: The From address of sent updates.
    mail_from: str = ""

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _secret_key(data_dir: Path) -> str:
    """RAPPORT_SECRET_KEY, or a random key kept in the data directory (created once)."""
    if key := os.environ.get("RAPPORT_SECRET_KEY"):
        return key
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


@cache
def get_settings() -> Settings:
    data_dir = Path(
        os.environ.get("RAPPORT_DATA_DIR") or platformdirs.user_data_dir("rapport", "rapport")
    ).expanduser()
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = (
        os.environ.get("RAPPORT_DATABASE_URL") or f"sqlite:///{data_dir / 'rapport.sqlite'}"
    )
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key=_secret_key(data_dir),
        argon2_profile=os.environ.get("RAPPORT_ARGON2_PROFILE", "RFC_9106_LOW_MEMORY"),
        smtp_url=os.environ.get("RAPPORT_SMTP_URL", ""),
        mail_from=os.environ.get("RAPPORT_MAIL_FROM", ""),
    )
