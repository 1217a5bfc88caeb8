"""Curating the claim base: the operations behind the moderators' commands.

Front-end agnostic: a Discord modal, a Slack form or a CLI prompt hands over plain
strings; everything is validated here and either written whole, in one transaction with
a history entry, or refused with a message that says what to fix — nothing half-saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError
from rapidfuzz import fuzz, process

from .answers import Answer, clean_question, question_key
from .base import KnowledgeBase
from .errors import ClaimbotError
from .history import describe_entry, field_changes
from .i18n import N_, Speech
from .models import (
    MAX_SHORT,
    MAX_STATEMENT,
    Claim,
    Event,
    Figure,
    Party,
    Source,
    Status,
    Topic,
    Verification,
    normalise_id,
)
from .service import ClaimService
from .store import HistoryEntry, Write

# "70 attackers killed", "over 70 attackers killed": the words before the unit are kept
# as the party's wording, and a bound word keeps the number a bound (see Figure).
FIGURE = re.compile(r"^\s*(?P<wording>(?P<bound>over|more than|at least|up to|at most|fewer than|under)?\s*"
                    r"(?P<value>\d[\d,]*(?:\.\d+)?))\s+(?P<unit>.+?)\s*$", re.IGNORECASE)
_FORM_BOUND = {"over": "more_than", "more than": "more_than", "at least": "at_least", "up to": "at_most",
               "at most": "at_most", "fewer than": "fewer_than", "under": "fewer_than"}


class CurationError(ClaimbotError, ValueError):
    """Input a moderator must correct; the message names the field and the fix."""


@dataclass(frozen=True)
class ClaimForm:
    topic_id: str
    party: str
    statement: str
    source_url: str
    figure: str = ""  # "70 attackers killed"
    quote: str = ""


@dataclass(frozen=True)
class Change:
    claim_id: str
    topic_id: str
    summary: str  # "status: unverified → confirmed (by BBC)"


@dataclass(frozen=True)
class Gap:
    example: str  # the most recent wording
    count: int
    last_asked: datetime


@dataclass(frozen=True)
class Candidate:
    """A question members matched to a topic themselves ("did you mean" → picked)."""

    topic_id: str
    topic_title: str
    question: str
    picks: int
    key: str  # question_key(question): how a button names it


# How close a mistyped id must be to be offered instead (fuzz.ratio: about one wrong letter in eight).
CLOSE_ID = 85.0


@dataclass(frozen=True, slots=True)
class Linked:
    """A question linked to a topic, and what members asking it get now."""

    topic: Topic
    question: str  # as learnt (an alias of the topic)
    instead: Answer | None  # None: answered with the topic; else the answer it still gets
    has_claims: bool = True  # the topic has claims to show (without, nothing can be answered from it)

    def say(self, speech: Speech, shown: Callable[[str], str] = str) -> str:
        """What the moderator is told; `shown` renders members' and curators' text for the
        front end (a chat escapes its formatting)."""
        tr = speech.tr
        question = shown(self.question)
        if self.instead is None:
            return tr("`{topic}` learnt \u201c{question}\u201d: that question is answered with \u201c{title}\u201d "
                      "from now on.", topic=self.topic.id, question=question, title=shown(self.topic.title))
        if not self.has_claims:
            return tr("`{topic}` learnt \u201c{question}\u201d, but members asking it get no answer yet: the topic "
                      "has no claims to show. Add one to it.", topic=self.topic.id, question=question)
        rivals = [self.instead.topic] if self.instead.answered and self.instead.topic is not None else [
            s for s in self.instead.suggestions if s.key != self.topic.id]
        if not rivals:  # (nothing else in the way, and still no answer: the matcher is unsure of it)
            return tr("`{topic}` learnt \u201c{question}\u201d, but that question is not answered with it yet: "
                      "give the topic a phrasing closer to how members ask.", topic=self.topic.id, question=question)
        other = rivals[0]
        where = shown(other.title) + (f" [{shown(other.base)}]" if other.base else "")
        if self.instead.answered:
            return tr("`{topic}` learnt \u201c{question}\u201d, but that question is still answered with "
                      "\u201c{other}\u201d: it is as close to that topic's own phrasings. Make the two topics' "
                      "phrasings tell them apart.", topic=self.topic.id, question=question, other=where)
        return tr("`{topic}` learnt \u201c{question}\u201d, but members asking it are offered a choice instead: "
                  "it is as close to \u201c{other}\u201d. Make the two topics' phrasings tell them apart.",
                  topic=self.topic.id, question=question, other=where)


class Curator:
    def __init__(self, service: ClaimService) -> None:
        self.service = service

    def missing(self, community: str, kind: str, record_id: str) -> CurationError:
        """The error for a record the community does not have: when a base it follows has
        it, say whose it is and how to change it (fork), not "there is none"."""
        owner = self.service.followed_owner(community, kind, record_id)
        if owner is not None:
            return CurationError(N_("`{id}` belongs to the claim base '{base}' this server follows; only its "
                                    "publisher changes it. To change it here, fork it: /base fork {base} "
                                    "(claimbot base fork {base})."), id=record_id, base=owner)
        if (close := self.closest_id(community, kind, record_id)) is not None:
            # (a typed id, from the command line or pasted: the nearest one, as `base follow` does)
            if kind == "topic":
                return CurationError(N_("topic: there is no topic `{topic}`; did you mean `{close}`?"),
                                     topic=record_id, close=close)
            if kind == "event":
                return CurationError(N_("event: there is no event `{event}`; did you mean `{close}`?"),
                                     event=record_id, close=close)
            return CurationError(N_("claim: there is no claim `{claim}`; did you mean `{close}`?"),
                                 claim=record_id, close=close)
        if kind == "topic":
            return CurationError(N_("topic: there is no topic `{topic}`; pick one from the list"), topic=record_id)
        if kind == "event":
            return CurationError(N_("event: there is no event `{event}`; pick one from the list"), event=record_id)
        return CurationError(N_("claim: there is no claim `{claim}`; pick one from the list"), claim=record_id)

    def closest_id(self, community: str, kind: str, record_id: str) -> str | None:
        """The community's id of that kind (its own or a followed base's) nearest a mistyped one."""
        ids: set[str] = set()
        for source in self.service.sources(community):
            kb = source.kb
            ids.update(kb.topics if kind == "topic" else kb.events if kind == "event" else kb.claims)
        found = process.extractOne(record_id.casefold(), sorted(ids), scorer=fuzz.ratio, score_cutoff=CLOSE_ID)
        return str(found[0]) if found else None

    # --- adding ------------------------------------------------------------------

    def add_claim(self, community: str, form: ClaimForm, actor: str) -> Claim:
        kb = self.service.knowledge(community)
        if form.topic_id not in kb.topics:
            raise self.missing(community, "topic", form.topic_id)
        party_name = form.party.strip()
        if not party_name:
            raise CurationError(N_("party: say who makes the claim (e.g. Russia's defence ministry)"))
        statement = form.statement.strip()
        if not statement:
            raise CurationError(N_("statement: write what the party says"))
        if len(statement) > MAX_STATEMENT:
            raise CurationError(N_("statement: {length} characters; at most {limit} fit beside the other versions "
                                   "— shorten it or split it into two claims"),
                                length=len(statement), limit=MAX_STATEMENT)
        writes: list[Write] = []
        party = self._party(kb, party_name, writes)
        source = self._source(kb, form.source_url.strip(), writes)
        figure = self._figure(form.figure)
        claim_id = _unique(f"{party.id}-{normalise_id(statement)[:40]}", kb.claims)
        claim = _validated(Claim, id=claim_id, party=party.id, statement=statement, figure=figure,
                           quote=form.quote.strip() or None, sources=[source.id])
        writes.append(Write("claim", claim.id, "create", claim, form.topic_id))
        self.service.write(community, writes, actor)
        return claim

    def _party(self, kb: KnowledgeBase, name: str, writes: list[Write]) -> Party:
        wanted = name.casefold()
        for party in kb.parties.values():
            if wanted == party.name.casefold() or wanted in (a.casefold() for a in party.aliases):
                return party
        party = _validated(Party, id=_unique(normalise_id(name), kb.parties), name=name)
        writes.append(Write("party", party.id, "create", party))
        return party

    def _source(self, kb: KnowledgeBase, url: str, writes: list[Write]) -> Source:
        if not url:
            raise CurationError(N_("source: give the URL of the article or statement the claim comes from"))
        for source in kb.sources.values():
            if source.url == url:
                return source
        host = urlsplit(url).netloc.removeprefix("www.") or url
        source = _validated(Source, id=_unique(normalise_id(host), kb.sources), publisher=host, title=url, url=url)
        writes.append(Write("source", source.id, "create", source))
        return source

    @staticmethod
    def _figure(text: str) -> Figure | None:
        if not text.strip():
            return None
        match = FIGURE.match(text)
        if not match:
            raise CurationError(N_('figure: write a number and what it counts, e.g. "70 attackers killed" or '
                                   '"over 70 attackers killed"; when the party gave no number, leave it empty'))
        value_text = match["value"].replace(",", "")
        value: int | float = float(value_text) if "." in value_text else int(value_text)
        bound = _FORM_BOUND.get((match["bound"] or "").casefold(), "value")
        return _validated(Figure, wording=" ".join(match["wording"].split()), unit=match["unit"], **{bound: value})

    def add_topic(self, community: str, event_id: str, title: str, actor: str, aliases: str = "") -> Topic:
        kb = self.service.knowledge(community)
        if event_id not in kb.events:
            raise self.missing(community, "event", event_id)
        title = title.strip()
        if not title:
            raise CurationError(N_("title: write the contested question, e.g. How many people were killed?"))
        wanted = title.casefold()
        for tid in kb.topics:
            if kb.topic_event[tid] == event_id and kb.topics[tid].title.casefold() == wanted:
                raise CurationError(N_("title: this event already has that topic (`{topic}`)"), topic=tid)
        topic = _validated(Topic, id=_unique(normalise_id(title), kb.topics), title=title,
                           aliases=[a.strip() for a in aliases.split(";") if a.strip()])
        self.service.write(community, [Write("topic", topic.id, "create", topic, event_id)], actor)
        return topic

    def add_event(self, community: str, title: str, day: str, actor: str, location: str = "") -> Event:
        kb = self.service.knowledge(community)
        try:
            when = date.fromisoformat(day.strip())
        except ValueError:
            raise CurationError(N_("date: '{day}' is not a date; write it as YYYY-MM-DD, e.g. 2023-05-22"),
                                day=day) from None
        event = _validated(Event, id=_unique(normalise_id(f"{title} {when.year}"), kb.events), title=title.strip(),
                           date=when, location=location.strip() or None)
        self.service.write(community, [Write("event", event.id, "create", event)], actor)
        return event

    # --- changing ----------------------------------------------------------------

    def set_status(self, community: str, claim_id: str, status: str, actor: str, *, verified_by: str = "",
                   note: str = "", expected_version: int | None = None) -> Change:
        try:
            new_status = Status(status)
        except ValueError:
            raise CurationError(N_("status: unknown status '{status}'; use one of {statuses}"), status=status,
                                statuses=", ".join(s.value for s in Status)) from None
        verification = None
        if verified_by.strip() or note.strip():
            verification = _validated(Verification, by=verified_by.strip() or "moderators",
                                      note=note.strip() or None)
        if new_status.needs_verifier and not verified_by.strip():
            raise CurationError(N_("verified_by: '{status}' needs who verified it (e.g. BBC)"), status=new_status.value)
        return self.edit_claim(community, claim_id, actor, expected_version=expected_version,
                               status=new_status, verification=verification)

    def edit_claim(self, community: str, claim_id: str, actor: str, *, expected_version: int | None = None,
                   **changes: Any) -> Change:
        stored = self.service.record(community, "claim", claim_id)
        if stored is None:
            raise self.missing(community, "claim", claim_id)
        version = stored.meta.version if expected_version is None else expected_version
        data = stored.record.model_dump()
        data.update({k: v for k, v in changes.items()})
        if "statement" in changes and isinstance(changes["statement"], str):
            data["statement"] = changes["statement"].strip()
            if not data["statement"]:
                raise CurationError(N_("statement: cannot be empty"))
        claim = _validated(Claim, **data)
        if claim == stored.record:
            raise CurationError(N_("nothing to change: the claim already says that"))
        (entry,) = self.service.write(community, [Write("claim", claim_id, "update", claim, stored.parent, version)],
                                      actor)
        return Change(claim_id, stored.parent or "", change_summary(entry, self.service.knowledge(community)))

    def remove_claim(self, community: str, claim_id: str, actor: str) -> None:
        stored = self.service.record(community, "claim", claim_id)
        if stored is None:
            raise self.missing(community, "claim", claim_id)
        self.service.write(community, [Write("claim", claim_id, "delete", expected_version=stored.meta.version)],
                           actor)

    def restore_claim(self, community: str, claim_id: str, actor: str) -> None:
        stored = self.service.record(community, "claim", claim_id, include_deleted=True)
        if stored is None or stored.meta.deleted_at is None:
            raise CurationError(N_("claim: `{claim}` is not a removed claim"), claim=claim_id)
        self.service.write(community, [Write("claim", claim_id, "restore", expected_version=stored.meta.version)],
                           actor)

    # --- reading -----------------------------------------------------------------

    def claim_choices(self, community: str, text: str, limit: int = 25) -> list[tuple[str, str]]:
        """(claim id, label) for an autocomplete box: fuzzy over party and statement."""
        return claim_choices(self.service.knowledge(community), text, limit)

    def removed_choices(self, community: str) -> list[tuple[str, str]]:
        return [(s.id, s.record.statement) for s in self.service.removed(community, "claim")
                if isinstance(s.record, Claim)][:25]

    def history(self, community: str, claim_id: str, limit: int = 20) -> list[str]:
        entries = self.service.history(community, kind="claim", record_id=claim_id, limit=limit,
                                             newest_first=True)
        return [describe_entry(e) for e in entries]

    def gaps(self, community: str, since: datetime, limit: int = 10) -> list[Gap]:
        """Unanswered questions since `since`, similar wordings grouped, most asked first."""
        asked = self.service.questions(community, since=since, answered=False)
        groups: list[list[Any]] = []  # [normalised key, example, count, last]
        for q in asked:
            key = " ".join(q.question.casefold().split())
            for group in groups:
                if fuzz.token_set_ratio(key, group[0]) >= 85:
                    group[1], group[2], group[3] = q.question, group[2] + 1, max(group[3], q.asked_at)
                    break
            else:
                groups.append([key, q.question, 1, q.asked_at])
        groups.sort(key=lambda g: (-g[2], -g[3].timestamp()))
        return [Gap(g[1], g[2], g[3]) for g in groups[:limit]]

    def open_gaps(self, community: str, since: datetime, limit: int = 10) -> list[Gap]:
        """`gaps`, less those the claim base answers now (a moderator linked them, or added
        the topic since): what is left is still work to do."""
        still: list[Gap] = []
        for gap in self.gaps(community, since, limit=limit * 3):
            if not self.service.ask(community, gap.example, record=False).answered:
                still.append(gap)
            if len(still) == limit:
                break
        return still

    def candidates(self, community: str, since: datetime, limit: int = 10) -> list[Candidate]:
        """Phrasings members picked a topic for, most picked first, less those the topic
        already knows (accepted, or added by hand since)."""
        kb = self.service.knowledge(community)
        found: list[Candidate] = []
        for picked in self.service.candidate_phrasings(community, since=since):
            topic = kb.topics.get(picked.topic_id)
            if topic is None:
                continue
            known = {topic.title.casefold(), *(alias.casefold() for alias in topic.aliases)}
            if picked.question.casefold() in known:
                continue
            found.append(Candidate(topic.id, topic.title, picked.question, picked.picks,
                                   question_key(picked.question)))
            if len(found) == limit:
                break
        return found

    def accept_candidate(self, community: str, topic_id: str, key: str, actor: str, since: datetime) -> Linked:
        """Make a picked phrasing (named by its key) an alias of its topic: `link_question`."""
        for candidate in self.candidates(community, since, limit=1000):
            if candidate.topic_id == topic_id and candidate.key == key:
                return self.link_question(community, candidate.question, topic_id, actor)
        raise CurationError(N_("that phrasing is no longer waiting: it was accepted already, or it expired"))

    def link_question(self, community: str, question: str, topic_id: str, actor: str) -> Linked:
        """Teach the claim base a phrasing: the question becomes one of the topic's aliases.

        A moderator's answer to an unanswered question ("that one is about the casualties").
        It is an ordinary, history-tracked topic update, so the matcher learns it at once and
        an export carries it; refused when the topic already has it. The result says whether
        members asking it are now answered with the topic, and if not, what they get."""
        text = clean_question(question)
        stored = self.service.record(community, "topic", topic_id)
        if stored is None or not isinstance(stored.record, Topic):
            raise self.missing(community, "topic", topic_id)
        topic = stored.record
        if text.casefold() in _asked_as(topic):
            raise CurationError(N_("`{topic}` already knows that phrasing"), topic=topic_id)
        if len(text) > MAX_SHORT:
            raise CurationError(N_("question: {length} characters; a phrasing to learn has at most {limit} — "
                                   "link a shorter way of asking it"), length=len(text), limit=MAX_SHORT)
        # One question leads to one topic: taught to two, it would lead to neither (and a
        # followed base's topic would answer it instead). Say which topic has it.
        kb = self.service.knowledge(community)
        for other in kb.topics.values():
            if other.id != topic_id and text.casefold() in _asked_as(other):
                raise CurationError(N_("`{other}` has already learnt that question: one question leads to one "
                                       "topic. To move it, take it out of `{other}`'s aliases first."),
                                    other=other.id)
        linked = _validated(Topic, **{**topic.model_dump(), "aliases": [*topic.aliases, text]})
        self.service.write(community, [Write("topic", topic_id, "update", linked, stored.parent,
                                             stored.meta.version)], actor)
        self.service.forget_candidate(community, topic_id, text)  # accepted: no longer waiting
        answer = self.service.ask(community, text, record=False)
        answered = answer.answered and answer.topic is not None and answer.topic.key == topic_id
        return Linked(linked, text, None if answered else answer, bool(kb.claims_of(topic_id)))

    def translate_claim(self, community: str, claim_id: str, language: str, actor: str, *, statement: str,
                        quote: str = "", figure_wording: str = "", figure_unit: str = "") -> Change:
        """Add or replace a moderator's translation of a claim into `language`.

        `figure_unit` is one text ("civilians killed", shown as "unit: number"), or the
        unit's plural forms one per line ("one: …", "few: …", "many: …", "other: …") so
        that number and unit agree in that language."""
        stored = self.service.record(community, "claim", claim_id)
        if stored is None or not isinstance(stored.record, Claim):
            raise self.missing(community, "claim", claim_id)
        claim = stored.record
        translation: dict[str, Any] = {"statement": statement.strip()}
        if not translation["statement"]:
            raise CurationError(N_("statement: write the claim in that language"))
        if quote.strip():
            translation["quote"] = quote.strip()
        if figure_unit.strip() or figure_wording.strip():
            if not figure_unit.strip():
                raise CurationError(N_("figure unit: say what the figure counts, in that language"))
            figure: dict[str, Any] = {"unit": _unit_forms(figure_unit)}
            if figure_wording.strip():
                figure["wording"] = figure_wording.strip()
            translation["figure"] = figure
        self._not_the_original(community, "topic", stored.parent, language)
        translations: dict[str, Any] = {k: v.model_dump(exclude_none=True) for k, v in claim.translations.items()}
        translations[language] = translation
        return self.edit_claim(community, claim_id, actor, expected_version=stored.meta.version,
                               translations=translations)

    def _not_the_original(self, community: str, kind: str, parent: str | None, language: str) -> None:
        kb = self.service.knowledge(community)
        event = kb.event_of(parent) if kind == "topic" and parent in kb.topics else kb.events.get(parent or "")
        if event is not None and event.language == language:
            raise CurationError(N_("language: the claims of this event are written in {language} already; "
                                   "translate them into another language"), language=language)

    def translate_topic(self, community: str, topic_id: str, language: str, title: str, actor: str,
                        aliases: str = "") -> Topic:
        """Add or replace a topic's title in `language`, with how members ask it there
        (aliases separated by ;, which the matcher learns at once)."""
        stored = self.service.record(community, "topic", topic_id)
        if stored is None or not isinstance(stored.record, Topic):
            raise self.missing(community, "topic", topic_id)
        topic = stored.record
        self._not_the_original(community, "event", stored.parent, language)
        translation = {"title": title.strip(), "aliases": [a.strip() for a in aliases.split(";") if a.strip()]}
        translations = {**{k: v.model_dump() for k, v in topic.translations.items()}, language: translation}
        translated = _validated(Topic, **{**topic.model_dump(), "translations": translations})
        if translated == topic:
            raise CurationError(N_("nothing to change: the topic already says that"))
        self.service.write(community, [Write("topic", topic_id, "update", translated, stored.parent,
                                             stored.meta.version)], actor)
        return translated


def _unit_forms(text: str) -> str | dict[str, str]:
    """A unit as a moderator types it: one text, or "category: form" lines."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) == 1 and not re.match(r"^(zero|one|two|few|many|other)\s*:", lines[0]):
        return lines[0]
    forms: dict[str, str] = {}
    for line in lines:
        category, colon, form = line.partition(":")
        if not colon or not form.strip():
            raise CurationError(N_('figure unit: write one text, or one line per plural form, e.g. "one: civilian '
                                   'killed" and "other: civilians killed"'))
        forms[category.strip().casefold()] = form.strip()
    return forms


def claim_choices(kb: KnowledgeBase, text: str, limit: int = 25) -> list[tuple[str, str]]:
    """(claim id, "party: statement") of the claims best matching `text`, fuzzy, best first."""
    wanted = text.casefold().strip()
    rows = []
    for cid, claim in kb.claims.items():
        party = kb.parties[claim.party].name if claim.party in kb.parties else claim.party
        label = f"{party}: {claim.statement}"
        score = fuzz.partial_ratio(wanted, label.casefold()) if wanted else 100.0
        rows.append((score, cid, label))
    rows.sort(key=lambda r: -r[0])
    return [(cid, label) for score, cid, label in rows[:limit] if score >= 60]


def change_summary(entry: HistoryEntry, kb: KnowledgeBase) -> str:
    parts = []
    for name, old, new in field_changes(entry):
        if name == "verification":
            continue
        if name == "status":
            by = (entry.after or {}).get("body", {}).get("verification") or {}
            parts.append(f"status {old} → {new}" + (f" (by {by['by']})" if by.get("by") else ""))
        else:
            parts.append(f"{name} changed")
    return "; ".join(parts) or "claim updated"


def _unique(base: str, taken: Iterable[str]) -> str:
    taken = set(taken)
    base = base.strip("-")[:70] or "item"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


M = TypeVar("M", bound=BaseModel)


def _validated(model: type[M], **fields: Any) -> M:
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err["loc"]) or model.__name__.lower()
        message = str(err["msg"]).removeprefix("Value error, ")
        raise CurationError(f"{where}: {message}") from None


def _asked_as(topic: Topic) -> set[str]:
    """The phrasings a topic is asked by, as `link_question` compares them: its title and aliases."""
    return {topic.title.casefold(), *(alias.casefold() for alias in topic.aliases)}
