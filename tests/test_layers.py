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
