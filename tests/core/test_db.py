"""Database URLs as people write them in RAPPORT_DATABASE_URL."""

import pytest
from rapport_core.db import DatabaseURLError, engine_for


def test_sqlite_urls_follow_the_usual_slash_convention():
    assert engine_for("sqlite:////var/lib/rapport/r.sqlite").path == "/var/lib/rapport/r.sqlite"
    assert engine_for("sqlite:///data/r.sqlite").path == "data/r.sqlite"
    assert engine_for("sqlite:////tmp/my%20firm.sqlite").path == "/tmp/my firm.sqlite"


def test_postgresql_url_parts_reach_the_engine():
    # The engine asks the server its version on creation: point it at the CI server.
    engine = engine_for("postgresql://postgres:p%40ss@127.0.0.1/postgres")
    assert engine.config == {
        "host": "127.0.0.1",
        "port": 5432,
        "user": "postgres",
        "password": "p@ss",
        "database": "postgres",
    }


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "mysql://localhost/x", "rapport"])
def test_unusable_urls_say_what_is_wrong(url):
    with pytest.raises(DatabaseURLError, match="sqlite|postgresql"):
        engine_for(url)
