"""Readable descriptions of history entries: who changed what, when, before → after."""

from __future__ import annotations

from typing import Any

from .store import HistoryEntry

VERBS = {"create": "created", "update": "changed", "delete": "removed", "restore": "restored"}


def field_changes(entry: HistoryEntry) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for every field an update changed."""
    if entry.before is None or entry.after is None:
        return []
    before, after = entry.before["body"], entry.after["body"]
    changes = [(name, before.get(name), after.get(name)) for name in dict.fromkeys([*before, *after])
               if before.get(name) != after.get(name)]
    if entry.before.get("parent") != entry.after.get("parent"):
        changes.append(("parent", entry.before.get("parent"), entry.after.get("parent")))
    return changes


def _short(value: Any, limit: int = 80) -> str:
    if isinstance(value, dict):
        text = ", ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, [], ""))
    elif isinstance(value, list):
        text = ", ".join(map(str, value)) or "(none)"
    elif value is None:
        text = "(none)"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def describe_entry(entry: HistoryEntry) -> str:
    head = (f"{entry.at:%Y-%m-%d %H:%M} UTC \u00b7 {entry.actor} {VERBS[entry.action]} {entry.kind} "
            f"{entry.record_id} (v{entry.version})")
    lines = [head]
    for name, old, new in field_changes(entry):
        if isinstance(old, dict) and isinstance(new, dict):
            # A figure, a translation: only what changed in it ("figure.value: 12 → 14"),
            # or a long record would cut the very number that changed.
            for key in dict.fromkeys([*old, *new]):
                if old.get(key) != new.get(key):
                    lines.append(f"    {name}.{key}: {_short(old.get(key))} \u2192 {_short(new.get(key))}")
            continue
        lines.append(f"    {name}: {_short(old)} \u2192 {_short(new)}")
    return "\n".join(lines)
