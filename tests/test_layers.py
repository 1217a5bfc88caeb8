"""`knowledge/` is the domain: it must work, and be importable, without discord.py."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import knowledge

ROOT = Path(__file__).resolve().parents[1]


def test_knowledge_never_imports_discord() -> None:
    modules = [m.name for m in pkgutil.walk_packages(knowledge.__path__, "knowledge.")]
    assert "knowledge.service" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'discord' or m.startswith('discord.') or m == 'bot')\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_the_bot_never_imports_the_command_line() -> None:
    # One composition root (claimbot/bootstrap.py) serves both front ends; the bot must not
    # depend on the CLI's argument parsing or its printing.
    code = (
        "import importlib, pkgutil, sys, bot\n"
        "for m in pkgutil.walk_packages(bot.__path__, 'bot.'): importlib.import_module(m.name)\n"
        "print('claimbot.cli' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_the_bot_goes_through_the_service_never_around_it() -> None:
    # The service is the only door to the claim base: a front end that reached into the
    # store would skip its checks (references, round trips) and its in-memory view.
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "bot").rglob("*.py"))
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if "service.store" in line or ".store." in line]
    assert offenders == []
