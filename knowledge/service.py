"""The claim base as front ends use it: ask, curate, import, export.

One ClaimService serves every community of one process. It keeps each community's
claim base and matcher in memory and follows the store's history to stay current:
a change made here, or by another process sharing the database, is applied to the
matcher incrementally before the next question is answered.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .answers import Answer, clean_question, compose, question_key, topic_ref
from .base import KnowledgeBase
from .clock import Clock
from .documents import topic_document, topic_documents
from .i18n import DEFAULT_LANGUAGE
from .importing import ImportPlan, plan_import
from .knowledge_file import dump_knowledge, load_knowledge_file, parse_knowledge
from .matching import Candidate, Lexicon, Matcher, MatchResult
from .matching.fusion import HybridMatcher
from .matching.phrasings import PhrasingIndex
from .matching.semantic import Embedder
from .models import Meta
from .store import (
    AskedQuestion,
    CandidatePhrasing,
    ChannelSettings,
    ClaimStore,
    ConflictError,
    HistoryEntry,
    Quarantined,
    Stored,
    StoreError,
    Write,
)

log = logging.getLogger(__name__)

# A "did you mean" pick counts for a question asked at most this long before.
PICK_WINDOW = timedelta(days=1)
# Past this many new history entries (a seed or a large import), a community is reloaded
# rather than replayed entry by entry.
BULK_CATCH_UP = 200
# Match results are ranked with a few spare candidates so that suggestions survive
# the removal of the chosen topic from the list.
SUGGESTIONS = 3
SEED_ACTOR = "seed"  # who the history says loaded the seed claim base


@dataclass
class _Community:
    kb: KnowledgeBase
    metas: dict[tuple[str, str], Meta]
    seq: int
    matcher: Matcher
    # Translated titles and aliases, matched near-verbatim (see knowledge.matching.phrasings).
    phrasings: PhrasingIndex = field(default_factory=PhrasingIndex)
    lock: threading.Lock = field(default_factory=threading.Lock)


class ClaimService:
    def __init__(
        self,
        store: ClaimStore,  # SQLite or PostgreSQL: the service never knows which
        *,
        lexicon: Lexicon | None = None,
        seed_files: Sequence[Path] = (),
        question_retention: timedelta = timedelta(days=90),
        embedder: Embedder | None = None,
    ) -> None:
        self.store = store
        # The semantic model and its vector cache, shared by every community's matcher;
        # None: questions are matched on their words alone.
        self.embedder = embedder
        # One lexicon for every community's matcher: loaded once, shared read-only.
        self.lexicon = lexicon or Lexicon.load()
        self.seed_files = list(seed_files)
        self.question_retention = question_retention
        self._communities: dict[str, _Community] = {}
        self._lock = threading.Lock()
        self._seed_lock = threading.Lock()

    @property
    def clock(self) -> Clock:
        """The one clock of this process (the store's): every "now" in the domain comes from it."""
        return self.store.clock

    def close(self) -> None:
        self.store.close()
        if self.embedder is not None:
            self.embedder.cache.close()

    # --- the claim base in memory ----------------------------------------------

    def knowledge(self, community: str) -> KnowledgeBase:
        return self._current(community).kb

    def cached_knowledge(self, community: str) -> KnowledgeBase | None:
        """The claim base as last loaded, without touching the database or waiting for any
        lock — possibly a moment stale; None when the community is not loaded yet. For
        autocomplete, which must answer within Discord's deadline whatever the database does."""
        state = self._communities.get(community)
        return state.kb if state is not None else None

    def cached_matcher(self, community: str) -> Matcher | None:
        state = self._communities.get(community)
        return state.matcher if state is not None else None

    def metas(self, community: str) -> dict[tuple[str, str], Meta]:
        return self._current(community).metas

    def matcher(self, community: str) -> Matcher:
        return self._current(community).matcher

    def _current(self, community: str) -> _Community:
        with self._lock:
            state = self._communities.get(community)
            if state is None:
                state = self._load(community)
                self._communities[community] = state
                return state
        with state.lock:
            latest = self.store.last_seq(community)
            if latest != state.seq:
                self._catch_up(community, state)
        return state

    def _load(self, community: str) -> _Community:
        kb, metas, seq = self.store.snapshot(community)
        matcher = HybridMatcher(self.lexicon, self.embedder)
        documents = topic_documents(kb)
        matcher.build(documents)
        phrasings = PhrasingIndex()
        phrasings.build(documents)
        return _Community(kb, metas, seq, matcher, phrasings)

    def _catch_up(self, community: str, state: _Community) -> None:
        """Apply the history entries since the last look, updating the matcher incrementally."""
        entries = self.store.history(community, after_seq=state.seq)
        structural = any(e.action in ("delete", "restore") and e.kind in ("event", "topic") for e in entries)
        if structural or state.seq == 0 or len(entries) > BULK_CATCH_UP:
            # Removing or restoring a whole event or topic moves everything below it, and a
            # first load or a large import is faster loaded than replayed: reload beside the
            # current state and swap, so autocomplete (which reads the cached state without
            # waiting) never sees a base half-way through an import.
            fresh = self._load(community)
            state.kb, state.metas, state.seq, state.matcher = fresh.kb, fresh.metas, fresh.seq, fresh.matcher
            state.phrasings = fresh.phrasings
            return
        touched: set[str] = set()
        for entry in entries:
            touched |= self._replay(community, state, entry)
            state.seq = entry.seq
        for topic_id in touched:
            if topic_id in state.kb.topics:
                document = topic_document(state.kb, topic_id)
                state.matcher.upsert(document)
                state.phrasings.upsert(document)
            else:
                state.matcher.remove(topic_id)
                state.phrasings.remove(topic_id)

    def _replay(self, community: str, state: _Community, entry: HistoryEntry) -> set[str]:
        """Apply one history entry to the in-memory base; return the topics whose documents changed."""
        kb = state.kb
        key = (entry.kind, entry.record_id)
        touched: set[str] = set()
        if entry.kind == "claim" and entry.record_id in kb.claim_topic:
            touched.add(kb.claim_topic[entry.record_id])
        if entry.after is None:  # delete
            kb.drop(entry.kind, entry.record_id)
            state.metas.pop(key, None)
            if entry.kind == "topic":
                touched.add(entry.record_id)
            return touched
        parent = entry.after["parent"]
        record = self.store.readable(community, entry.kind, entry.record_id, entry.after["body"])
        if record is None:  # quarantined: the previous version (if any) stays out too
            kb.drop(entry.kind, entry.record_id)
            state.metas.pop(key, None)
            return touched
        if entry.kind in ("topic", "claim"):
            parent_index = kb.events if entry.kind == "topic" else kb.topics
            if parent not in parent_index:
                return touched  # hangs below something removed: it comes back with its parent
        kb.put(entry.kind, record, parent)
        old = state.metas.get(key)
        state.metas[key] = Meta(
            version=entry.version,
            created_at=old.created_at if old else entry.at,
            created_by=old.created_by if old else entry.actor,
            updated_at=entry.at,
            updated_by=entry.actor,
        )
        if entry.kind == "claim":
            touched.add(parent)
        elif entry.kind == "topic":
            touched.add(entry.record_id)
        elif entry.kind == "party":
            touched |= {kb.claim_topic[c.id] for c in kb.claims.values() if c.party == entry.record_id}
        elif entry.kind == "event":
            touched |= {t for t, e in kb.topic_event.items() if e == entry.record_id}
        return touched

    # --- asking ----------------------------------------------------------------

    def ask(
        self,
        community: str,
        question: str,
        *,
        event_id: str | None = None,
        channel: str | None = None,
        record: bool = True,
        language: str = DEFAULT_LANGUAGE,
    ) -> Answer:
        """Answer a member's question with every party's version, or say honestly that we can't;
        in `language` wherever the moderators translated the claims.

        Raises QuestionError for a question that cannot be asked as given.
        """
        text = clean_question(question)
        state = self._current(community)
        if event_id is not None and event_id not in state.kb.events:
            event_id = None  # a channel tied to an event that was since removed
        result = state.matcher.match(text, event_id=event_id, limit=SUGGESTIONS + 1)
        if result.decision != "answer" and (hit := state.phrasings.match(text, event_id=event_id)) is not None:
            # A moderator's phrasing in another language, asked near-verbatim: that topic.
            rest = tuple(c for c in result.candidates if c.topic_id != hit.topic_id)
            result = MatchResult("answer", (Candidate(hit.topic_id, state.kb.topic_event.get(hit.topic_id, ""),
                                                      hit.score), *rest), hit.score)
        kb = state.kb
        # A topic moderators opened but gave no claims yet has nothing sourced to show —
        # and the question is about it, so the next-best topic is no answer either.
        top_is_empty = bool(result.candidates) and not kb.claims_of(result.candidates[0].topic_id)
        candidates = [c for c in result.candidates if c.topic_id in kb.topics and kb.claims_of(c.topic_id)]
        if result.decision == "answer" and candidates and not top_is_empty:
            best = candidates[0]
            others = [topic_ref(kb, c.topic_id, c.score, language) for c in candidates[1 : SUGGESTIONS + 1]]
            answer = compose(kb, state.metas, text, best.topic_id, confidence=result.confidence, also=others,
                             language=language)
        elif result.decision == "suggest" and candidates:
            answer = Answer(
                question=text,
                decision="suggest",
                confidence=result.confidence,
                suggestions=[topic_ref(kb, c.topic_id, c.score, language) for c in candidates[:SUGGESTIONS]],
                language=language,
            )
        else:
            answer = Answer(question=text, decision="none", confidence=result.confidence, language=language)
        if record:
            self.store.record_question(
                community,
                text,
                channel=channel,
                topic_id=answer.topic.id if answer.topic else None,
                answered=answer.answered,
            )
        return answer

    def answer_topic(self, community: str, topic_id: str, *, question: str = "",
                     language: str | None = DEFAULT_LANGUAGE) -> Answer | None:
        """The full answer for a topic the member picked (a "did you mean" button); in
        `language` where translated, or as written when `language` is None."""
        state = self._current(community)
        if topic_id not in state.kb.topics:
            return None
        original = state.kb.event_of(topic_id).language
        return compose(state.kb, state.metas, question or state.kb.topics[topic_id].title, topic_id,
                       confidence=1.0, language=language or original)

    def forget_old_questions(self, now: datetime | None = None) -> int:
        """Drop asked questions past the retention setting, in every community."""
        return self.store.forget_questions(None, (now or self.clock()) - self.question_retention)

    # --- knowledge files -------------------------------------------------------

    def plan_file_import(self, community: str, incoming: KnowledgeBase) -> ImportPlan:
        state = self._current(community)
        removed = {
            (kind, s.id): s for kind in ("source", "party", "event", "topic", "claim")
            for s in self.store.deleted(community, kind)
        }
        return plan_import(state.kb, state.metas, incoming, removed)

    def plan_upload(self, community: str, data: bytes, name: str) -> ImportPlan:
        """Parse an uploaded knowledge file and plan its import, in one call a front end runs
        off its event loop: parsing a large or hostile file takes time."""
        return self.plan_file_import(community, parse_knowledge(data, name=name))

    def apply_plan(self, community: str, plan: ImportPlan, actor: str) -> list[HistoryEntry]:
        """Write exactly a previewed plan (with the versions the preview saw), all or nothing."""
        return self.write(community, plan.writes, actor)

    def import_knowledge(self, community: str, incoming: KnowledgeBase, actor: str) -> ImportPlan:
        """Write a parsed knowledge file into the community's base, all or nothing."""
        plan = self.plan_file_import(community, incoming)
        if not plan.empty:
            self.store.write(community, plan.writes, actor)
            self._current(community)  # the matcher (and autocomplete's cached view) learn it now
        return plan

    def import_file(self, community: str, path: Path, actor: str) -> ImportPlan:
        return self.import_knowledge(community, load_knowledge_file(path), actor)

    def export(self, community: str) -> str:
        return dump_knowledge(self.knowledge(community))

    def ensure_seeded(self, community: str) -> ImportPlan | None:
        """Load the seed claim base into an empty community (a first run)."""
        with self._seed_lock:  # two threads seeing the same empty community seed it once
            if self.store.last_seq(community) != 0 or not self.seed_files:
                return None
            merged: ImportPlan | None = None
            try:
                for path in self.seed_files:
                    plan = self.import_file(community, path, actor=SEED_ACTOR)
                    log.info("loaded seed claim base %s into community %s: %s", path, community, plan.summary())
                    merged = plan
            except ConflictError:
                return None  # another process seeded it at the same moment
            return merged

    # --- writes ----------------------------------------------------------------

    def write(self, community: str, writes: Sequence[Write], actor: str) -> list[HistoryEntry]:
        """Apply record writes in one transaction, after checking the result hangs together.

        Raises ReferenceProblem (nothing written) when a claim would name a party or source
        that does not exist, or a topic/claim would hang below nothing.
        """
        state = self._current(community)
        problems = _check_after(state.kb, writes)
        if problems:
            raise ReferenceProblem("; ".join(problems))
        entries = self.store.write(community, writes, actor)
        self._current(community)  # bring the matcher up to date now, not at the next question
        return entries

    # --- what front ends read and set besides claims -----------------------------

    def record(self, community: str, kind: str, record_id: str, *, include_deleted: bool = False) -> Stored | None:
        return self.store.get(community, kind, record_id, include_deleted=include_deleted)

    def removed(self, community: str, kind: str) -> list[Stored]:
        return self.store.deleted(community, kind)

    def history(self, community: str, *, kind: str | None = None, record_id: str | None = None,
                since: datetime | None = None, limit: int | None = None,
                newest_first: bool = False) -> list[HistoryEntry]:
        return self.store.history(community, kind=kind, record_id=record_id, since=since, limit=limit,
                                  newest_first=newest_first)

    def questions(self, community: str, *, since: datetime | None = None,
                  answered: bool | None = None) -> list[AskedQuestion]:
        return self.store.questions(community, since=since, answered=answered)

    def remember_pick(self, community: str, topic_id: str, key: str, *,
                      within: timedelta = PICK_WINDOW) -> bool:
        """A member picked `topic_id` from the "did you mean" offered for the question whose
        `question_key` is `key`: keep the question as a candidate phrasing of that topic for
        the moderators (the question's words only, never who asked). False when the question
        is no longer known (expired, or never recorded) or the topic is gone."""
        if topic_id not in self._current(community).kb.topics:
            return False
        recent = self.store.questions(community, since=self.clock() - within, answered=False)
        question = next((q.question for q in reversed(recent) if question_key(q.question) == key), None)
        if question is None:
            return False
        self.store.record_candidate(community, topic_id, question)
        return True

    def candidate_phrasings(self, community: str, *, since: datetime) -> list[CandidatePhrasing]:
        return self.store.candidates(community, since=since)

    def forget_candidate(self, community: str, topic_id: str, question: str) -> None:
        self.store.forget_candidate(community, topic_id, question)

    def quarantined(self, community: str) -> list[Quarantined]:
        """Records of this community left out because they cannot be read back."""
        return [q for q in self.store.quarantine.values() if q.community == community]

    def channel_settings(self, community: str, channel: str) -> ChannelSettings:
        """Auto-answer, the event the channel is tied to, and its answer language."""
        return self.store.channel_settings(community, channel)

    def set_channel_language(self, community: str, channel: str, language: str | None) -> None:
        """`channel` SERVER_WIDE sets the whole server's language; None clears it."""
        self.store.set_channel_language(community, channel, language)

    def set_auto_answer(self, community: str, channel: str, enabled: bool) -> None:
        self.store.set_auto_answer(community, channel, enabled)

    def set_channel_event(self, community: str, channel: str, event_id: str | None) -> None:
        self.store.set_channel_event(community, channel, event_id)

    def remember_posted_answer(self, community: str, ref: str, topic_id: str,
                               language: str = DEFAULT_LANGUAGE) -> None:
        """A front end posted an answer about `topic_id` in `language` (`ref` is its own handle
        for the message), so a later change to the topic's claims can update it in place."""
        self.store.remember_posted_answer(community, ref, topic_id, language)

    def forget_posted_answer(self, community: str, ref: str) -> None:
        self.store.forget_posted_answer(community, ref)

    def posted_answers(self, community: str, topic_id: str, *, within: timedelta) -> list[tuple[str, str]]:
        """(ref, language) of the answers about `topic_id` posted within `within`."""
        return self.store.posted_answers(community, topic_id, since=self.clock() - within)


class ReferenceProblem(StoreError):
    """A write that would leave the claim base pointing at records that do not exist."""


def _check_after(kb: KnowledgeBase, writes: Sequence[Write]) -> list[str]:
    trial = KnowledgeBase(
        dict(kb.sources), dict(kb.parties), dict(kb.events), dict(kb.topics), dict(kb.claims),
        dict(kb.topic_event), dict(kb.claim_topic),
    )
    for w in writes:
        if w.action == "delete":
            trial.drop(w.kind, w.id)
        elif w.record is not None:
            parents: dict[str, Any] | None = (trial.events if w.kind == "topic"
                                              else trial.topics if w.kind == "claim" else None)
            if parents is not None and w.parent not in parents:
                return [f"{w.kind} '{w.id}' needs an existing {'event' if w.kind == 'topic' else 'topic'}, "
                        f"not '{w.parent}'"]
            trial.put(w.kind, w.record, w.parent)
    return [p.message for p in trial.check_references()]


def parse_file(data: bytes | str, name: str) -> KnowledgeBase:
    return parse_knowledge(data, name=name)
