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
        for path, before, after in _leaf_changes(name, old, new):
            lines.append(f"    {path}: {_short(before)} \u2192 {_short(after)}")
    return "\n".join(lines)


def _leaf_changes(path: str, old: Any, new: Any) -> list[tuple[str, Any, Any]]:
    """What changed inside nested fields, down to the values themselves: a figure, a
    translation's figure ("translations.uk.figure.wording: 70 … → 75 …"). Shown whole, a
    long record would be cut before the very number that changed."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [change for key in dict.fromkeys([*old, *new]) if old.get(key) != new.get(key)
                for change in _leaf_changes(f"{path}.{key}", old.get(key), new.get(key))]
    return [(path, old, new)]
