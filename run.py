#!/usr/bin/env python3
"""Set claimbot up and start it — or run its tests. Needs only python3 >= 3.11.

    python3 run.py          set up .venv, then start the bot (when a Discord token is
                            configured) or else the offline console on the seed claim base
    python3 run.py test     set up .venv, then run the whole test suite (extra args go to pytest)
    python3 run.py check    set up .venv, then the lint and type gates CI runs (ruff, mypy)
    python3 run.py catalogs update the message catalogs from the code (`catalogs check`: what is missing)

Setting up means: create .venv beside this file and install claimbot into it with its
test dependencies. It is skipped when pyproject.toml has not changed since the last time.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".claimbot-installed"


def fail(message: str) -> None:
    print(f"run.py: {message}", file=sys.stderr)
    raise SystemExit(2)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def set_up() -> Path:
    if sys.version_info < (3, 11):
        fail(f"claimbot needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    python = venv_python()
    if not python.exists():
        print("run.py: creating .venv …", file=sys.stderr)
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except Exception as exc:  # noqa: BLE001 - tell the user what to install, whatever failed
            fail(f"could not create .venv ({exc}); on Debian/Ubuntu install python3-venv")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        print("run.py: installing claimbot and its dependencies into .venv …", file=sys.stderr)
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", f"{ROOT}[test]"],
            cwd=ROOT,
        )
        if done.returncode != 0:
            fail("installing the dependencies failed (see pip's message above)")
        STAMP.write_text(wanted)
    return python


def main(argv: list[str]) -> int:
    python = set_up()
    os.chdir(ROOT)
    if argv[:1] == ["test"]:
        command = [str(python), "-m", "pytest", *argv[1:]]
    elif argv == ["check"]:
        lint = subprocess.call([str(python), "-m", "ruff", "check", "."])
        return lint or subprocess.call([str(python), "-m", "mypy"])
    elif argv[:1] == ["catalogs"]:
        command = [str(python), "-m", "claimbot.catalogs", *argv[1:]]
    elif not argv:
        command = [str(python), "-m", "claimbot", "start"]
    else:
        fail(f"unknown command {' '.join(argv)!r}; use `python3 run.py`, `python3 run.py test`, "
             "`python3 run.py check` or `python3 run.py catalogs`")
    return subprocess.call(command)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
