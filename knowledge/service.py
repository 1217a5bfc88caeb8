"""The claim base as front ends use it: ask, curate, import, export.

One ClaimService serves every community of one process. It keeps each community's
claim base and matcher in memory and follows the store's history to stay current:
a change made here, or by another process sharing the database, is applied to the
matcher incrementally before the next question is answered.
"""

from __future__ import annotations

import difflib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .answers import (
    Answer,
    clean_question,
    compose,
    question_key,
    short_topic_key,
    split_topic_key,
    topic_key,
    topic_ref,
)
from .base import KnowledgeBase
from .clock import Clock
from .documents import topic_document, topic_documents
from .i18n import DEFAULT_LANGUAGE, N_
from .importing import ImportPlan, plan_import
from .knowledge_file import dump_knowledge, load_knowledge_file, parse_knowledge
from .matching import Candidate, Lexicon, Matcher, MatchResult
from .matching.fusion import HybridMatcher
from .matching.phrasings import ALIAS, PhrasingIndex
from .matching.semantic import Embedder
from .models import Event, Meta
from .store import (
    AskedQuestion,
    BaseNameTakenError,
    CandidatePhrasing,
    ChannelSettings,
    ClaimStore,
    ConflictError,
    HistoryEntry,
    PublishedBase,
    Quarantined,
    SetUp,
    StoreBusyError,
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


# How many communities' claim bases stay loaded in memory at most; the least recently
# used beyond it are dropped and reloaded from the database when next needed. A server
# that only follows published bases costs a few KB loaded; a published base is loaded
# once, however many servers follow it.
MAX_LOADED = 2000
# At most this many bases followed per community: every question is matched against each.
MAX_FOLLOWS = 10
# A published base's name: what moderators type to follow it.
BASE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,31}$")
# The communities holding the seed bases: "@" + the base's name. Discord ids are numbers,
# and the CLI refuses a community starting with "@", so no server can write into them.
SEED_COMMUNITY_PREFIX = "@"


@dataclass
class _Community:
    """One community's own claim base in memory, and its matcher. Filled on first use."""

    loaded: bool = False
    kb: KnowledgeBase = field(default_factory=KnowledgeBase)
    metas: dict[tuple[str, str], Meta] = field(default_factory=dict)
    seq: int = 0
    # None while the base has no topic: most servers only follow published bases, and an
    # empty matcher per server would cost memory for nothing.
    matcher: Matcher | None = None
    # Translated titles and aliases, matched near-verbatim (see knowledge.matching.phrasings).
    phrasings: PhrasingIndex | None = None
    # The published bases the community follows, as last read (autocomplete reads it
    # without the database).
    follows: tuple[PublishedBase, ...] = ()
    set_up: bool = False  # checked that the community is set up (it follows the seed bases when new)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True, eq=False)  # compared by identity: one per source and question
class Source:
    """Where a community's answers come from: its own claims (`base` None) or a base it follows."""

    base: str | None
    community: str
    kb: KnowledgeBase
    metas: dict[tuple[str, str], Meta]
    matcher: Matcher | None
    phrasings: PhrasingIndex | None


class ClaimService:
    def __init__(
        self,
        store: ClaimStore,  # SQLite or PostgreSQL: the service never knows which
        *,
        lexicon: Lexicon | None = None,
        seed_files: Sequence[Path] = (),
        question_retention: timedelta = timedelta(days=90),
        embedder: Embedder | None = None,
        max_loaded: int = MAX_LOADED,
    ) -> None:
        self.store = store
        # The semantic model and its vector cache, shared by every community's matcher;
        # None: questions are matched on their words alone.
        self.embedder = embedder
        # One lexicon for every community's matcher: loaded once, shared read-only.
        self.lexicon = lexicon or Lexicon.load()
        self.seed_files = list(seed_files)
        self.question_retention = question_retention
        self.max_loaded = max(1, max_loaded)
        # Least recently used first: what is dropped when more than max_loaded are loaded.
        self._communities: OrderedDict[str, _Community] = OrderedDict()
        self._lock = threading.Lock()
        self._seed_lock = threading.Lock()
        self._seed_bases: list[str] | None = None  # names, once published in this process

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
        """The community's own claim base (what its moderators curate), not the bases it follows."""
        return self._current(community).kb

    def cached_knowledge(self, community: str) -> KnowledgeBase | None:
        """The claim base as last loaded, without touching the database or waiting for any
        lock — possibly a moment stale; None when the community is not loaded yet. For
        autocomplete, which must answer within Discord's deadline whatever the database does."""
        state = self._communities.get(community)
        return state.kb if state is not None and state.loaded else None

    def cached_matcher(self, community: str) -> Matcher | None:
        state = self._communities.get(community)
        return state.matcher if state is not None else None

    def cached_sources(self, community: str) -> list[tuple[str | None, KnowledgeBase]]:
        """The community's own base and the followed ones, as last loaded (for autocomplete):
        (base name or None for its own, claim base); what is not loaded is left out."""
        state = self._communities.get(community)
        if state is None or not state.loaded:
            return []
        found: list[tuple[str | None, KnowledgeBase]] = [(None, state.kb)]
        for base in state.follows:
            followed = self._communities.get(base.community)
            if followed is not None and followed.loaded:
                found.append((base.name, followed.kb))
        return found

    def metas(self, community: str) -> dict[tuple[str, str], Meta]:
        return self._current(community).metas

    def matcher(self, community: str) -> Matcher:
        return self._indexes(self._current(community))[0]

    def loaded_communities(self) -> int:
        return len(self._communities)

    def _current(self, community: str, *, empty: bool = False) -> _Community:
        """The community's state, loaded (or, `empty`: known to have no records yet, so
        not read) and brought up to date."""
        with self._lock:
            state = self._communities.get(community)
            if state is None:
                state = self._communities[community] = _Community()
                while len(self._communities) > self.max_loaded:
                    self._communities.popitem(last=False)
            else:
                self._communities.move_to_end(community)
        with state.lock:  # one community loading never holds up another
            if not state.loaded and empty:
                state.loaded = True  # seq 0, nothing in it: a write since is caught up at the next question
            elif not state.loaded:
                self._fill(community, state)
            elif self.store.last_seq(community) != state.seq:
                self._catch_up(community, state)
        return state

    def _fill(self, community: str, state: _Community) -> None:
        """(Re)load a community from the database, beside the current state, then swap:
        autocomplete (which reads the cached state without waiting) never sees a base
        half-way through an import."""
        kb, metas, seq = self.store.snapshot(community)
        matcher: Matcher | None = None
        phrasings: PhrasingIndex | None = None
        if kb.topics:
            documents = topic_documents(kb)
            matcher = HybridMatcher(self.lexicon, self.embedder)
            matcher.build(documents)
            phrasings = PhrasingIndex()
            phrasings.build(documents)
        state.kb, state.metas, state.seq, state.matcher, state.phrasings = kb, metas, seq, matcher, phrasings
        state.loaded = True

    def _indexes(self, state: _Community) -> tuple[Matcher, PhrasingIndex]:
        if state.matcher is None or state.phrasings is None:
            state.matcher = HybridMatcher(self.lexicon, self.embedder)
            state.matcher.build([])
            state.phrasings = PhrasingIndex()
            state.phrasings.build([])
        return state.matcher, state.phrasings

    def _catch_up(self, community: str, state: _Community) -> None:
        """Apply the history entries since the last look, updating the matcher incrementally."""
        entries = self.store.history(community, after_seq=state.seq)
        structural = any(e.action in ("delete", "restore") and e.kind in ("event", "topic") for e in entries)
        if structural or state.seq == 0 or len(entries) > BULK_CATCH_UP:
            # Removing or restoring a whole event or topic moves everything below it, and a
            # first load or a large import is faster loaded than replayed.
            self._fill(community, state)
            return
        touched: set[str] = set()
        for entry in entries:
            touched |= self._replay(community, state, entry)
            state.seq = entry.seq
        if not touched:
            return
        matcher, phrasings = self._indexes(state)
        for topic_id in touched:
            if topic_id in state.kb.topics:
                document = topic_document(state.kb, topic_id)
                matcher.upsert(document)
                phrasings.upsert(document)
            else:
                matcher.remove(topic_id)
                phrasings.remove(topic_id)

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

    def sources(self, community: str) -> list[Source]:
        """What the community answers from, each brought up to date: its own claims first,
        then each base it follows (oldest follow first) that is still published."""
        known = self._communities.get(community)
        set_up: SetUp | None = "known" if known is not None and known.set_up else None
        if set_up is None:
            # A question can come before the front end set the community up (a server's
            # first message racing its "guild available" event): set up first, once.
            try:
                set_up = self._set_up(community)
            except StoreBusyError:
                log.warning("community %s is not set up yet: the database is busy; trying again at the next "
                            "question", community)
        # Just set up with nothing of its own: no need to read its (empty) claim base.
        own = self._current(community, empty=set_up == "new-empty")
        own.set_up = own.set_up or set_up is not None
        own.follows = tuple(self._answering_bases(community))
        found = [Source(None, community, own.kb, own.metas, own.matcher, own.phrasings)]
        for base in own.follows:
            state = self._current(base.community)
            found.append(Source(base.name, base.community, state.kb, state.metas, state.matcher, state.phrasings))
        return found

    def events(self, community: str) -> dict[str, Event]:
        """Every event the community answers about: its own, then the followed bases'."""
        found: dict[str, Event] = {}
        for source in self.sources(community):
            for event_id, event in source.kb.events.items():
                found.setdefault(event_id, event)
        return found

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
        in `language` wherever the moderators translated the claims. The community's own
        claims and the bases it follows are searched alike; the answer says which base its
        claims come from.

        Raises QuestionError for a question that cannot be asked as given.
        """
        text = clean_question(question)
        sources = self.sources(community)
        if event_id is not None and not any(event_id in s.kb.events for s in sources):
            event_id = None  # a channel tied to an event that was since removed
        # Each source is matched on its own index (a published base's is shared by all its
        # followers). The most confident result decides (the community's own on a tie) and
        # its best topic comes first; every other candidate follows by score. Only a phrasing
        # the community's own moderators gave a topic (a question they linked, a translated
        # title), asked near-verbatim, decides whatever the scores: it is their explicit word,
        # and a followed base sure of another topic must not undo a link made a moment ago.
        matched = [(source, *_match(source, text, event_id)) for source in sources
                   if source.matcher is not None and (event_id is None or event_id in source.kb.events)]
        results = [(source, result) for source, result, _ in matched
                   if result.decision != "none" and result.candidates]
        decisive = [(source, result) for source, result, phrased in matched if phrased and source.base is None]
        best: MatchResult | None = None
        ranked: list[tuple[Source, Candidate]] = []
        if results:
            lead, best = decisive[0] if decisive else max(results, key=lambda r: r[1].confidence)
            rest = [(source, c) for source, result in results for c in result.candidates]
            ranked = [(lead, best.candidates[0])] + sorted(
                (r for r in rest if r != (lead, best.candidates[0])), key=lambda r: -r[1].score)
        # A topic moderators opened but gave no claims yet has nothing sourced to show —
        # and the question is about it, so the next-best topic is no answer either.
        top_is_empty = bool(ranked) and not ranked[0][0].kb.claims_of(ranked[0][1].topic_id)
        candidates = [(src, c) for src, c in ranked if c.topic_id in src.kb.topics and src.kb.claims_of(c.topic_id)]
        decision = best.decision if best is not None else "none"
        confidence = best.confidence if best is not None else 0.0
        if decision == "answer" and candidates and not top_is_empty:
            source, chosen = candidates[0]
            others = [topic_ref(src.kb, c.topic_id, c.score, language, src.base)
                      for src, c in candidates[1 : SUGGESTIONS + 1]]
            answer = compose(source.kb, source.metas, text, chosen.topic_id, confidence=confidence, also=others,
                             language=language, base=source.base)
        elif decision == "suggest" and candidates:
            answer = Answer(
                question=text,
                decision="suggest",
                confidence=confidence,
                suggestions=[topic_ref(src.kb, c.topic_id, c.score, language, src.base)
                             for src, c in candidates[:SUGGESTIONS]],
                language=language,
            )
        else:
            answer = Answer(question=text, decision="none", confidence=confidence, language=language)
        if record:
            self._record(community, answer, channel)
        return answer

    def auto_answer(self, community: str, message: str, *, min_confidence: float, event_id: str | None = None,
                    channel: str | None = None, language: str = DEFAULT_LANGUAGE) -> Answer | None:
        """A message in a channel where moderators switched auto-answer on: its answer when one
        fits with at least `min_confidence`, else None — and then nothing is recorded. Such
        a channel is a conversation: most messages are not questions to the bot, nobody was
        told their words were "noted", and chat ("good morning", a phone number) must not
        reach the moderators' gaps or the digest's "still unanswered".

        Raises QuestionError for a message that cannot be asked (empty, too long)."""
        answer = self.ask(community, message, event_id=event_id, channel=channel, record=False, language=language)
        if not answer.answered or answer.confidence < min_confidence:
            return None
        self._record(community, answer, channel)
        return answer

    def _record(self, community: str, answer: Answer, channel: str | None) -> None:
        self.store.record_question(
            community,
            answer.question,
            channel=channel,
            topic_id=answer.topic.key if answer.topic else None,
            answered=answer.answered,
        )
        if not answer.answered:
            # The member is told the question "has been noted for the moderators": it
            # is written before they read that, so a process killed a moment later
            # loses none of them (answered ones, only statistics, go in the next batch).
            try:
                self.store.flush_questions()
            except StoreError as exc:
                log.warning("an unanswered question stays queued for the next batch: %s", exc)

    def answer_topic(self, community: str, key: str, *, question: str = "",
                     language: str | None = DEFAULT_LANGUAGE) -> Answer | None:
        """The full answer for a topic the member picked (a "did you mean" button), named by
        its key (`TopicRef.key`: "base/topic" for a followed base's); in `language` where
        translated, or as written when `language` is None. None when the topic is gone or
        the base is no longer followed."""
        sources = self.sources(community)
        if key.startswith("~"):  # a stand-in for a key too long for a button: find it
            key = next((topic_key(s.base, t) for s in sources for t in s.kb.topics
                        if short_topic_key(topic_key(s.base, t), 0) == key), "")
        base, topic_id = split_topic_key(key)
        source = next((s for s in sources if s.base == base), None)
        if source is None or topic_id not in source.kb.topics:
            return None
        original = source.kb.event_of(topic_id).language
        return compose(source.kb, source.metas, question or source.kb.topics[topic_id].title, topic_id,
                       confidence=1.0, language=language or original, base=base)

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
        """Copy the seed files into an empty community, as its own claims to curate (what
        `claimbot import` of each seed file does). New servers do not get this: they follow
        the seed bases (`set_up`)."""
        with self._seed_lock:  # two threads seeing the same empty community copy it once
            if self.store.last_seq(community) != 0 or not self.seed_files:
                return None
            merged: ImportPlan | None = None
            try:
                for path in self.seed_files:
                    plan = self.import_file(community, path, actor=SEED_ACTOR)
                    log.info("copied seed claim base %s into community %s: %s", path, community, plan.summary())
                    merged = plan
            except ConflictError:
                return None  # another process copied it at the same moment
            return merged

    # --- shared claim bases ---------------------------------------------------

    def seed_bases(self) -> list[str]:
        """Publish the seed files as claim bases (once per process), and return their names.

        Each seed file is kept in its own community ("@" + name) and published under its
        name (the file's, without ".claims.yaml"); every new community follows them. A seed
        file changed since the last run is imported again, so followers see the new version."""
        with self._seed_lock:
            if self._seed_bases is None:
                names = []
                for path in self.seed_files:
                    name = path.name.removesuffix(".yaml").removesuffix(".yml").removesuffix(".claims")
                    community = SEED_COMMUNITY_PREFIX + name
                    try:
                        plan = self.import_file(community, path, actor=SEED_ACTOR)
                        if not plan.empty:
                            log.info("seed claim base %s (%s): %s", name, path, plan.summary())
                    except ConflictError:
                        pass  # another process loaded it at the same moment
                    try:
                        published = self.store.published_bases(name=name, include_withdrawn=True)
                        if not published or published[0].community != community or published[0].withdrawn:
                            self.store.publish_base(community, name, SEED_ACTOR)
                    except BaseNameTakenError:
                        log.error("the seed claim base %s cannot be published: a community took its name; "
                                  "new communities will not follow it", name)
                        continue
                    names.append(name)
                self._seed_bases = names
            return self._seed_bases

    def set_up(self, community: str) -> bool:
        """A community claimbot sees for the first time follows the seed bases (it gets no
        copy: a new server costs a row, not a claim base). True when it was new."""
        outcome = self._set_up(community)
        if outcome == "new-empty":  # known to be empty: its first question need not read it
            self._current(community, empty=True).set_up = True
        return outcome != "known"

    def _set_up(self, community: str) -> SetUp:
        if community.startswith(SEED_COMMUNITY_PREFIX):
            return "known"
        # The seed bases are published by the first community that needs them, not by a
        # process that only serves communities with claims of their own (the command line
        # reading an old base must not wait for a write). A community with claims of its
        # own is only marked as set up: it follows nothing it did not choose.
        follow = self._seed_bases
        if follow is None:
            follow = self.seed_bases() if self.store.last_seq(community) == 0 else []
        return self.store.set_up_community(community, follow)

    def followed_owner(self, community: str, kind: str, record_id: str) -> str | None:
        """The name of the followed base that holds `kind` `record_id`, if one does."""
        for source in self.sources(community)[1:]:
            held: dict[str, dict[str, Any]] = {"event": source.kb.events, "topic": source.kb.topics,
                                               "claim": source.kb.claims}
            if record_id in held.get(kind, {}):
                return source.base
        return None

    def published_bases(self) -> list[PublishedBase]:
        self.seed_bases()  # the seed bases are published by the first process that needs them
        return self.store.published_bases()

    def followed_bases(self, community: str) -> list[PublishedBase]:
        """What `community` follows, withdrawn bases included (their `withdrawn` says so)."""
        return self.store.followed_bases(community)

    def answering_bases(self, community: str) -> list[str]:
        """The names of the followed bases `community`'s answers draw on besides its own claims
        (not withdrawn). A moderator's export, history and search read only its own claims: a
        community that follows the seed and has none would get an empty file, "no changes",
        "no claims match" for what its answers show, and is told why instead."""
        return [b.name for b in self._answering_bases(community)]

    def bases_sharing_topics(self, community: str, plan: ImportPlan) -> list[str]:
        """The followed bases that already have a topic this import would create: with both,
        answers offer that topic twice (the community's own and the base's, labelled). What a
        moderator who imports a copy of a followed base by hand should hear before writing it."""
        created = {c.id for c in plan.changes if c.kind == "topic" and c.action == "create"}
        if not created:
            return []
        return [s.base for s in self.sources(community)[1:] if s.base is not None and created & s.kb.topics.keys()]

    def _answering_bases(self, community: str) -> list[PublishedBase]:
        return [b for b in self.store.followed_bases(community) if not b.withdrawn and b.community != community]

    def own_base(self, community: str) -> PublishedBase | None:
        """The name `community`'s own claims are published under (also when withdrawn)."""
        found = self.store.published_bases(community=community, include_withdrawn=True)
        return found[0] if found else None

    def publish(self, community: str, name: str, actor: str) -> PublishedBase:
        """Publish the community's own claims under `name`: followers see them, live."""
        name = _base_name(name)
        taken = self.store.published_bases(name=name, include_withdrawn=True)
        if taken and taken[0].community != community:
            raise BaseNameTakenError(N_("the name '{name}' belongs to another community's claim base; choose "
                                        "another name"), name=name)
        if not self._current(community).kb.topics:
            raise BaseError(N_("This server has no claims of its own to publish yet: add topics and claims first "
                               "(or import a knowledge file)."))
        return self.store.publish_base(community, name, actor)

    def withdraw(self, community: str) -> str:
        """Stop serving the community's published base to its followers; the name stays its own."""
        name = self.store.withdraw_base(community)
        if name is None:
            raise BaseError(N_("This server's claims are not published."))
        return name

    def follow(self, community: str, name: str) -> PublishedBase:
        name = _base_name(name)
        self.seed_bases()
        found = self.store.published_bases(name=name)
        if not found:
            known = [b.name for b in self.store.published_bases()]
            close = difflib.get_close_matches(name, known, n=3)
            if close:
                raise BaseError(N_("No published claim base is called '{name}'. Did you mean: {names}?"),
                                name=name[:40], names=", ".join(close))
            raise BaseError(N_("No published claim base is called '{name}'."), name=name)
        base = found[0]
        if base.community == community:
            raise BaseError(N_("'{name}' is this server's own claim base: its claims are answered already."),
                            name=name)
        followed = self.store.followed_bases(community)
        if all(b.name != name for b in followed) and len(followed) >= MAX_FOLLOWS:
            raise BaseError(N_("This server follows {count} claim bases, the most it can: unfollow one first."),
                            count=len(followed))
        self.store.follow_base(community, name)
        return base

    def unfollow(self, community: str, name: str) -> None:
        name = _base_name(name)
        if not self.store.unfollow_base(community, name):
            raise BaseError(N_("This server does not follow '{name}'."), name=name)

    def fork(self, community: str, name: str, actor: str) -> ImportPlan:
        """Copy a followed base into the community's own claims (history-tracked, as an import
        by `actor`), then stop following it: from now on the moderators change their copy.
        Refused, with nothing changed, when a record id is already used by the community."""
        name = _base_name(name)
        source = next((s for s in self.sources(community) if s.base == name), None)
        if source is None:
            raise BaseError(N_("This server does not follow '{name}': follow it first, then fork it."),
                            name=name[:40])
        own = {(kind, record_id) for kind, record_id, _, _ in self._current(community).kb.records()}
        clashes = sorted(f"{kind} {record_id}" for kind, record_id, _, _ in source.kb.records()
                         if (kind, record_id) in own)
        if clashes:
            raise BaseError(N_("Not forked: this server already has {count} records with the same ids as "
                               "'{name}' ({examples}). Rename or remove yours first."),
                            count=len(clashes), name=name, examples=", ".join(clashes[:3]))
        plan = self.plan_file_import(community, source.kb)
        self.apply_plan(community, plan, actor)
        self.store.unfollow_base(community, name)
        return plan

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
            return False  # gone, or a followed base's ("base/topic"): that base's moderators curate it
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


def _base_name(typed: str) -> str:
    """A claim base's name as typed, or a BaseError; a name that is not one is never echoed
    back (it could be Markdown, a mention, anything), so every message names safe text."""
    name = typed.strip().casefold()
    if not BASE_NAME.match(name):
        raise BaseError(N_("That is not a claim base name: a name has 2 to 32 lowercase letters, digits and hyphens, "
                           "starting with a letter or digit (e.g. sudan-war)."))
    return name


def _match(source: Source, text: str, event_id: str | None) -> tuple[MatchResult, bool]:
    """The source's result for the question, and whether a moderator's phrasing decided it."""
    assert source.matcher is not None
    result = source.matcher.match(text, event_id=event_id, limit=SUGGESTIONS + 1)
    answered = result.decision == "answer"
    # (The community's own phrasings are looked up even when the matcher answers: see `ask`.)
    if (answered and source.base is not None) or source.phrasings is None:
        return result, False
    hit = source.phrasings.match(text, event_id=event_id)
    if hit is None:
        return result, False
    top = result.candidates[0].topic_id if result.candidates else None
    if answered and top != hit.topic_id and hit.language != ALIAS:
        return result, False  # a translated phrasing nearly matched does not overrule an answer; a linked question does
    # A moderator's phrasing (an alias, or one in another language), asked near-verbatim: that topic.
    rest = tuple(c for c in result.candidates if c.topic_id != hit.topic_id)
    confidence = max(hit.score, result.confidence) if top == hit.topic_id else hit.score
    return MatchResult("answer", (Candidate(hit.topic_id, source.kb.topic_event.get(hit.topic_id, ""),
                                            hit.score), *rest), confidence), True


class BaseError(StoreError):
    """A publish, follow or fork that cannot be done as asked; the message says why."""


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
