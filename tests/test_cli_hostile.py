"""`claimbot` given what a careless admin or a hostile file gives it: one clear line, never a
traceback, and nothing changed."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import ROOT, SEED, claimbot, env  # noqa: F401 - env is a fixture


def one_clear_line(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines and lines[0].startswith("claimbot") or lines[0].startswith("usage:"), done.stderr
    return done.stderr


def test_a_directory_as_a_knowledge_file(env: dict[str, str], tmp_path: Path) -> None:
    for command in (["import", str(tmp_path)], ["validate", str(tmp_path)]):
        done = claimbot(env, *command)
        assert "Traceback" not in done.stderr and done.returncode != 0
        assert "directory" in done.stderr


def test_a_community_that_is_not_text(env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "claimbot", "--community", b"\xff\xfe".decode("utf-8", "surrogateescape"),
                           "ask", "how many casualties?"], env=env, capture_output=True, text=True, timeout=60,
                          cwd=ROOT)
    assert "--community" in one_clear_line(done) and "printable" in done.stderr


def test_a_history_limit_past_any_number_sqlite_takes(env: dict[str, str]) -> None:
    done = claimbot(env, "history", "--limit", "100000000000000000000")
    assert "--limit" in one_clear_line(done) and "between 1 and" in done.stderr
    assert claimbot(env, "history", "--limit", "3").returncode == 0


def test_output_piped_into_a_reader_that_stops_early(env: dict[str, str]) -> None:
    # Claims of its own (a community that only follows the seed exports an empty file): ~100 kB,
    # more than a pipe holds, so the export is still writing when the reader goes away.
    claimbot(env, "base", "fork", "belgorod-incursion")
    # (as a shell runs it: with PYTHONUNBUFFERED set, as CI may, Python drops what a pipe's
    # reader left unread without an error, and nothing here would be tested)
    buffered = {k: v for k, v in env.items() if k != "PYTHONUNBUFFERED"}
    shell = subprocess.run(
        f"{sys.executable} -m claimbot export | dd bs=1 count=10 status=none > /dev/null; exit ${{PIPESTATUS[0]}}",
        shell=True, executable="/bin/bash", env=buffered, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert "Traceback" not in shell.stderr and "BrokenPipe" not in shell.stderr, shell.stderr
    assert shell.stderr == ""
    assert shell.returncode == 141  # stopped by the broken pipe (dd reads 10 bytes, one at a time, and leaves)


@pytest.mark.sqlite_only  # the PostgreSQL store's busy error: tests/knowledge/test_postgres.py
def test_a_database_locked_by_another_process(env: dict[str, str], tmp_path: Path) -> None:
    claimbot(env, "base", "fork", "belgorod-incursion")  # claims of its own, to change
    holder = sqlite3.connect(env["CLAIMBOT_DATABASE_URL"].removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a long write
    try:
        changed = tmp_path / "changed.yaml"
        changed.write_text(SEED.read_text().replace("70 attackers were killed.", "Over 70 attackers were killed."))
        env = {**env, "CLAIMBOT_BUSY_TIMEOUT_SECONDS": "0.5"}
        done = claimbot(env, "import", str(changed))
        assert "busy" in one_clear_line(done) and "try again" in done.stderr
        # Reading is never blocked by the writer.
        assert claimbot(env, "export").returncode == 0
        assert claimbot(env, "ask", "how many casualties?").returncode == 0
        # A question told "noted for the moderators" that could not be written says so before
        # the process ends: there is no later batch for it.
        unanswered = claimbot(env, "ask", "who won the cup final")
        assert "noted for the moderators" in unanswered.stdout
        assert "1 asked question(s) could not be recorded" in unanswered.stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "Over 70" not in claimbot(env, "export").stdout


def test_a_fifo_as_a_knowledge_file_does_not_hang(env: dict[str, str], tmp_path: Path) -> None:
    fifo = tmp_path / "claims.yaml"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "claimbot", "validate", str(fifo)], env=env, capture_output=True,
                          text=True, timeout=20, cwd=ROOT)
    assert "Traceback" not in done.stderr and done.returncode != 0 and "regular file" in done.stderr


def test_settings_that_cannot_be_read_are_one_line_each(env: dict[str, str], tmp_path: Path) -> None:
    # A .env saved in Latin-1, and a list setting written as a plain path.
    (tmp_path / ".env").write_bytes("CLAIMBOT_MODERATOR_ROLE=V\xe9rificateurs\n".encode("latin-1"))
    for command in (["ask", "how many casualties?"], ["run"]):
        assert "save it as UTF-8" in one_clear_line(claimbot(env, *command, cwd=tmp_path))
    (tmp_path / ".env").write_text("CLAIMBOT_SEED_FILES=seeds/belgorod-incursion.claims.yaml\n", encoding="utf-8")
    assert "CLAIMBOT_SEED_FILES" in one_clear_line(claimbot(env, "ask", "x", cwd=tmp_path))
    assert "written as JSON" in claimbot(env, "ask", "x", cwd=tmp_path).stderr
    (tmp_path / ".env").write_text("CLAIMBOT_DATABASE_URL=mysql://nope\n", encoding="utf-8")
    env = {k: v for k, v in env.items() if k != "CLAIMBOT_DATABASE_URL"}
    stderr = one_clear_line(claimbot(env, "ask", "x", cwd=tmp_path))
    assert stderr.startswith("claimbot: CLAIMBOT_DATABASE_URL: unsupported database URL") and "Value error" not in stderr
    assert stderr.count("CLAIMBOT_DATABASE_URL") == 1


def test_a_lexicon_file_that_is_no_file_is_named_and_does_not_hang(env: dict[str, str], tmp_path: Path) -> None:
    fifo = tmp_path / "lexicon.yaml"
    os.mkfifo(fifo)
    for path, error in [(fifo, "is not a regular file"), (tmp_path / "missing.yaml", "cannot read")]:
        env["CLAIMBOT_LEXICON_FILES"] = f'["{path}"]'
        stderr = one_clear_line(claimbot(env, "ask", "how many casualties?"))  # (within the helper's timeout)
        assert str(path) in stderr and error in stderr


def test_a_device_as_the_database_is_named(env: dict[str, str]) -> None:
    env["CLAIMBOT_DATABASE_URL"] = "sqlite:////dev/null"
    assert "is not a file" in one_clear_line(claimbot(env, "ask", "how many casualties?"))


@pytest.mark.parametrize("actor", ["", "   ", "\x1b[31mmallory", "x" * 500])
def test_an_actor_the_history_cannot_show_is_refused(env: dict[str, str], actor: str) -> None:
    done = claimbot(env, "import", "--actor", actor, str(SEED))
    assert "--actor" in one_clear_line(done)
    assert claimbot(env, "history").stdout.strip().startswith("No changes")  # nothing was written


def test_output_to_a_full_disk_is_one_line(env: dict[str, str]) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "claimbot", "ask", "how many casualties?"], env=env,
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "claimbot: cannot write the output: No space left on device"
