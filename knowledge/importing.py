"""Turning a knowledge file into store writes: a plan first, so it can be previewed.

Import is idempotent: a record whose content and place are unchanged produces no
write (and no history entry). Records in the store that the file does not mention are
kept: a file adds and corrects, it never deletes behind a moderator's back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .base import KnowledgeBase
from .models import Meta
from .store import Stored, Write


@dataclass(frozen=True, slots=True)
class PlannedChange:
    kind: str
    id: str
    action: str  # "create", "update", "restore"
    fields: tuple[str, ...] = ()  # what an update changes


@dataclass
class ImportPlan:
    writes: list[Write] = field(default_factory=list)
    changes: list[PlannedChange] = field(default_factory=list)
    unchanged: int = 0
    kept: int = 0  # in the store, not in the file

    @property
    def empty(self) -> bool:
        return not self.writes

    def summary(self, *, done: bool = False) -> str:
        """"2 to create, 1 to update, 48 unchanged" for a preview; "2 created, …" once `done`."""
        counts: dict[str, int] = {}
        for change in self.changes:
            counts[change.action] = counts.get(change.action, 0) + 1
        parts = [f"{counts[a]} {a}d" if done else f"{counts[a]} to {a}"
                 for a in ("create", "update", "restore") if counts.get(a)]
        parts.append(f"{self.unchanged} unchanged")
        if self.kept:
            parts.append(f"{self.kept} kept (in the base, not in the file)")
        return ", ".join(parts)


def plan_import(
    current: KnowledgeBase,
    metas: dict[tuple[str, str], Meta],
    incoming: KnowledgeBase,
    removed: dict[tuple[str, str], Stored],
) -> ImportPlan:
    """The writes that make the store hold `incoming`'s records.

    `current`/`metas` are the live records, `removed` the soft-deleted ones (by (kind, id)).
    """
    plan = ImportPlan()
    live = {(kind, rid): (parent, record) for kind, rid, parent, record in current.records()}
    for kind, rid, parent, record in incoming.records():
        key = (kind, rid)
        if key in live:
            old_parent, old = live[key]
            if old == record and old_parent == parent:
                plan.unchanged += 1
                continue
            changed = tuple(
                name for name in type(record).model_fields if getattr(old, name) != getattr(record, name)
            ) + (("parent",) if old_parent != parent else ())
            plan.writes.append(Write(kind, rid, "update", record, parent, metas[key].version))
            plan.changes.append(PlannedChange(kind, rid, "update", changed))
        elif key in removed:
            gone = removed[key]
            plan.writes.append(Write(kind, rid, "restore", expected_version=gone.meta.version))
            plan.changes.append(PlannedChange(kind, rid, "restore"))
            if gone.record != record or gone.parent != parent:
                plan.writes.append(Write(kind, rid, "update", record, parent, gone.meta.version + 1))
        else:
            plan.writes.append(Write(kind, rid, "create", record, parent))
            plan.changes.append(PlannedChange(kind, rid, "create"))
    incoming_keys = {(kind, rid) for kind, rid, _, _ in incoming.records()}
    plan.kept = sum(1 for key in live if key not in incoming_keys)
    return plan
