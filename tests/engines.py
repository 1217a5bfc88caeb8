"""The two storage engines the store, service and CLI tests run on.

SQLite needs nothing. PostgreSQL needs a server: `CLAIMBOT_TEST_POSTGRESQL_URL`
(e.g. postgresql://postgres@127.0.0.1:5432/postgres, a user allowed to CREATE DATABASE;
`.ci/run` starts a throwaway cluster and sets it). Every test gets a database of its own,
created for it and dropped after it, so tests never see each other's rows.

In CI (`CI` set) a missing or unreachable server FAILS every PostgreSQL test: a green
build must mean the PostgreSQL store was tested. Locally they are skipped, with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

ENGINES = ("sqlite", "postgresql")
SERVER_ENV = "CLAIMBOT_TEST_POSTGRESQL_URL"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def server_url() -> str:
    """The test server's URL; fails (CI) or skips (locally) when there is none that answers."""
    url = os.environ.get(SERVER_ENV, "").strip()
    problem = None
    if not url:
        problem = f"{SERVER_ENV} is not set"
    else:
        try:
            psycopg.connect(url, connect_timeout=5).close()
        except psycopg.Error as exc:
            problem = f"the PostgreSQL server at {SERVER_ENV} does not answer ({' '.join(str(exc).split())})"
    if problem is None:
        return url
    if in_ci():
        pytest.fail(f"{problem}: CI must test the PostgreSQL store (.ci/run starts a server)", pytrace=False)
    pytest.skip(f"{problem}: PostgreSQL tests need a server (see tests/engines.py)")


_server: str | None = None


def postgres_server() -> str:
    """The test server's URL, checked once per session."""
    global _server
    if _server is None:
        _server = server_url()  # fails in CI, skips locally, when there is no server
    return _server


def with_database(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{dbname}", parts.query, parts.fragment))


def fresh_database(server: str) -> Iterator[str]:
    """A new, empty database on the test server (its URL), dropped afterwards."""
    name = f"claimbot_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            # FORCE: a test that failed half-way may have left a connection open.
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
