"""The services and settings every test app runs with, for conftests and tests alike.

Fixtures live in the conftest modules; what they share with tests that build an app of their
own (a migration from an old schema, a second app on one database) lives here, because a
conftest module is not a library.
"""

import os
import socket
from urllib.parse import urlsplit

import pytest
from sqlalchemy import delete

from portal.extensions import db

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# `make soak` sets it: the generated, fault and load runs at full size instead of a quick pass.
SOAK = os.environ.get("PORTAL_SOAK") == "1"


def sized(quick: int, soak: int) -> int:
    """How many cases, requests or rounds a long test makes under `make test` or `make soak`."""
    return soak if SOAK else quick


def config_for(database_url: str, **overrides) -> dict:
    """The app's configuration in tests, on this database, with `overrides` on top."""
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "REDIS_URL": None,
        "PORTAL_PUBLIC_URL": "http://portal.test",
        "PORTAL_ENV": "development",
        "PORTAL_INPROCESS_WORKER": False,
        # CSRF is exercised by tests that turn it back on (tests/security, tests/admin).
        "WTF_CSRF_ENABLED": False,
        **overrides,
    }


def require_service(name: str, url: str) -> None:
    """Fail the calling test unless something listens at `url`'s host and port."""
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=2).close()
    except OSError as error:
        # A missing service fails the test, never skips it: `make test` starts the services.
        pytest.fail(
            f"{name} at {parts.hostname}:{parts.port} is not reachable ({error}); "
            "run `make test`, which starts it",
            pytrace=False,
        )


def delete_all_rows() -> None:
    """Empty every table of the app in context, children first."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()
