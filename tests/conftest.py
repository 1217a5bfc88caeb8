from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engines import ENGINES, fresh_database, postgres_server

pytest_plugins = ["tests.fakediscord.fixtures"]


class _ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def fail_on_error_logs(request: pytest.FixtureRequest) -> Iterator[_ErrorRecords]:
    """discord.py only *logs* exceptions in event handlers: fail any test that logged an error
    it did not expect (mark it `expect_error_log` when the error is the point)."""
    handler = _ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
    if not request.node.get_closest_marker("expect_error_log") and handler.records:
        lines = "\n".join(f"{r.name}: {r.getMessage()}" for r in handler.records)
        pytest.fail(f"unexpected ERROR log lines:\n{lines}")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "expect_error_log: the test expects ERROR log lines")
    config.addinivalue_line("markers", "sqlite_only: the test is about SQLite itself (its file, its locks)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses a store (through `store_url`: the store, service and CLI
    fixtures) runs once per engine: test_x[sqlite] and test_x[postgresql]. A test about
    SQLite itself — marked sqlite_only, or asking for `db_url`, the SQLite file's URL —
    runs on SQLite only."""
    if "store_engine" not in metafunc.fixturenames:
        return
    sqlite_only = metafunc.definition.get_closest_marker("sqlite_only") or "db_url" in metafunc.fixturenames
    metafunc.parametrize("store_engine", ["sqlite"] if sqlite_only else list(ENGINES), scope="function")


@pytest.fixture
def store_url(store_engine: str, tmp_path: Path) -> Iterator[str]:
    """CLAIMBOT_DATABASE_URL of an empty database on this test's engine."""
    if store_engine == "sqlite":
        yield f"sqlite:///{tmp_path / 'claims.sqlite3'}"
    else:
        yield from fresh_database(postgres_server())


@pytest.fixture(autouse=True)
def english_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI speaks the terminal's language (LANG): tests pin it, so they read the same
    on a machine set to German; a test about another language passes --lang."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
