"""`knowledge/` is the domain: it must work, and be importable, without discord.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def modules_loaded_by(package: str) -> set[str]:
    """Every module in sys.modules after importing all of `package`, in a fresh interpreter."""
    code = (
        "import importlib, pkgutil, sys\n"
        f"root = importlib.import_module({package!r})\n"
        f"for m in pkgutil.walk_packages(root.__path__, {package + '.'!r}): importlib.import_module(m.name)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_knowledge_never_imports_discord() -> None:
    loaded = modules_loaded_by("knowledge")
    assert "knowledge.service" in loaded
    assert sorted(m for m in loaded if m == "discord" or m.startswith("discord.") or m.split(".")[0] == "bot") == []


def test_the_bot_never_imports_the_command_line() -> None:
    # One composition root (claimbot/bootstrap.py) serves both front ends; the bot must not
    # depend on the CLI's argument parsing or its printing.
    loaded = modules_loaded_by("bot")
    assert "bot.cogs.curation" in loaded and "claimbot.cli" not in loaded


def test_the_bot_goes_through_the_service_never_around_it() -> None:
    # The service is the only door to the claim base: a front end that reached into the
    # store would skip its checks (references, round trips) and its in-memory view.
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "bot").rglob("*.py"))
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if "service.store" in line or ".store." in line]
    assert offenders == []
