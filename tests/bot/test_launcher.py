"""`claimbot run` fails with one clear line, never a traceback, and never shows the token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")}
    clean["CLAIMBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    clean.update(env)
    # cwd=tmp_path: no .env from the repository is read.
    return subprocess.run([sys.executable, "-m", "claimbot", "run"], env=clean, cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)


def test_without_a_token(tmp_path: Path) -> None:
    done = run(tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert "CLAIMBOT_DISCORD_TOKEN" in done.stderr and ".env" in done.stderr and "claimbot chat" in done.stderr


@pytest.mark.parametrize("token", ["hello", "abc.def", "not a token at all but long enough.x.y"])
def test_with_a_malformed_token(tmp_path: Path, token: str) -> None:
    done = run(tmp_path, CLAIMBOT_DISCORD_TOKEN=token)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "CLAIMBOT_DISCORD_TOKEN" in done.stderr and "does not look like a bot token" in done.stderr
    assert token not in done.stderr


def test_start_without_a_token_opens_the_offline_console(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMBOT_")}
    clean["CLAIMBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    done = subprocess.run([sys.executable, "-m", "claimbot", "start"], env=clean, cwd=tmp_path, input="how many casualties\n",
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "offline console" in done.stdout and "Belgorod governor Vyacheslav Gladkov" in done.stdout
