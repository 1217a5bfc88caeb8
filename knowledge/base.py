"""One community's claim base in memory: the records and how they hang together.

A KnowledgeBase is what a knowledge file parses into, what the store hands out as a
snapshot, and what answers and the matcher are built from. Order matters to people
(topics in the order a curator wrote them), so every mapping keeps insertion order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .models import Claim, Event, Model, Party, Source, Topic


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a claim base, located by a field path like events[0].topics[1].id."""

    path: tuple[str | int, ...]
    message: str

    @property
    def dotted(self) -> str:
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out or "(top level)"


@dataclass
class KnowledgeBase:
    sources: dict[str, Source] = field(default_factory=dict)
    parties: dict[str, Party] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    topic_event: dict[str, str] = field(default_factory=dict)  # topic id → event id
    claim_topic: dict[str, str] = field(default_factory=dict)  # claim id → topic id

    # --- navigation ---------------------------------------------------------

    def topics_of(self, event_id: str) -> list[Topic]:
        return [t for tid, t in self.topics.items() if self.topic_event[tid] == event_id]

    def claims_of(self, topic_id: str) -> list[Claim]:
        return [c for cid, c in self.claims.items() if self.claim_topic[cid] == topic_id]

    def event_of(self, topic_id: str) -> Event:
        return self.events[self.topic_event[topic_id]]

    def records(self) -> Iterator[tuple[str, str, str | None, Model]]:
        """(kind, id, parent id, record), parents before children: the order a store writes them."""
        for sid, source in self.sources.items():
            yield "source", sid, None, source
        for pid, party in self.parties.items():
            yield "party", pid, None, party
        for eid, event in self.events.items():
            yield "event", eid, None, event
        for tid, topic in self.topics.items():
            yield "topic", tid, self.topic_event[tid], topic
        for cid, claim in self.claims.items():
            yield "claim", cid, self.claim_topic[cid], claim

    def put(self, kind: str, record: Model, parent: str | None = None) -> None:
        """Add or replace one record (parents must already be there)."""
        rid = record.id  # type: ignore[attr-defined]
        if kind == "source":
            self.sources[rid] = record  # type: ignore[assignment]
        elif kind == "party":
            self.parties[rid] = record  # type: ignore[assignment]
        elif kind == "event":
            self.events[rid] = record  # type: ignore[assignment]
        elif kind == "topic":
            assert parent is not None
            self.topics[rid] = record  # type: ignore[assignment]
            self.topic_event[rid] = parent
        elif kind == "claim":
            assert parent is not None
            self.claims[rid] = record  # type: ignore[assignment]
            self.claim_topic[rid] = parent
        else:  # pragma: no cover - kinds are a closed set
            raise ValueError(f"unknown kind {kind!r}")

    def drop(self, kind: str, rid: str) -> None:
        """Remove one record (and, for events and topics, what hangs below it)."""
        if kind == "source":
            self.sources.pop(rid, None)
        elif kind == "party":
            self.parties.pop(rid, None)
        elif kind == "event":
            self.events.pop(rid, None)
            for tid in [t for t, e in self.topic_event.items() if e == rid]:
                self.drop("topic", tid)
        elif kind == "topic":
            self.topics.pop(rid, None)
            self.topic_event.pop(rid, None)
            for cid in [c for c, t in self.claim_topic.items() if t == rid]:
                self.drop("claim", cid)
        elif kind == "claim":
            self.claims.pop(rid, None)
            self.claim_topic.pop(rid, None)

    # --- integrity ----------------------------------------------------------

    def check_references(self) -> list[Problem]:
        """Every id a claim names must exist: a party, a source, a disputing party."""
        problems: list[Problem] = []
        for cid, claim in self.claims.items():
            where: tuple[str | int, ...] = ("claims", cid)
            if claim.party not in self.parties:
                problems.append(Problem((*where, "party"), f"unknown party '{claim.party}' (add it under parties:)"))
            for field_name in ("sources", "supported_by"):
                for sid in getattr(claim, field_name):
                    if sid not in self.sources:
                        problems.append(Problem((*where, field_name),
                                                f"unknown source '{sid}' (add it under sources:)"))
            for pid in claim.disputed_by:
                if pid not in self.parties:
                    problems.append(Problem((*where, "disputed_by"), f"unknown party '{pid}' (add it under parties:)"))
            if claim.verification and claim.verification.source and claim.verification.source not in self.sources:
                problems.append(
                    Problem((*where, "verification", "source"), f"unknown source '{claim.verification.source}'")
                )
        return problems
