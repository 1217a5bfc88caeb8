"""Answers: what a member gets back, whatever the front end (Discord, CLI, …).

An Answer carries every party's version of one topic, grouped by party, each claim
with its status and sources — or "did you mean" suggestions, or an honest no-answer.
Front ends only render it.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, computed_field

from .base import KnowledgeBase
from .errors import ClaimbotError
from .i18n import DEFAULT_LANGUAGE, ENGLISH, N_, Speech
from .models import Claim, Figure, FigureTranslation, Meta, Status
from .normalise import clean_text_or_empty
from .statuses import badge

MAX_QUESTION = 2000

# Emoji *and* word for every status: colour or a symbol alone is lost on screen
# readers, colour-blind readers and plain-text front ends.
STATUS_BADGE: dict[Status, str] = {status: badge(status) for status in Status}

NO_ANSWER_TEXT = N_("No sourced claims on that yet. The question has been noted for the moderators.")
UNSURE_TEXT = N_("I'm not sure which topic you mean. Did you mean one of these?")


def question_key(question: str) -> str:
    """A short, stable handle for a question (8 hex digits): a front end can carry it in a
    button and find the question again, without carrying the member's words around."""
    return hashlib.sha256(" ".join(question.casefold().split()).encode()).hexdigest()[:8]


class QuestionError(ClaimbotError, ValueError):
    """A question that cannot be asked as given; the message says how to fix it."""


_INVISIBLE_IN_QUESTIONS = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"))


def clean_question(text: str) -> str:
    """The question as it will be matched, or a QuestionError saying what is wrong.

    Binary data is refused outright (it is not a question someone typed); otherwise the
    text is normalised as every stored text is (knowledge.normalise): no control or bidi
    characters, no invisible padding — so what is matched, recorded for the moderators and
    shown back is exactly what a person can see."""
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        raise QuestionError(N_("The question is not valid text (it looks like binary data); type it as plain words."))
    if "\x00" in text:
        raise QuestionError(N_("The question contains binary data (NUL bytes); type it as plain words."))
    # Zero-width spaces and soft hyphens inside a question only split or hide words.
    text = " ".join(clean_text_or_empty(text).translate(_INVISIBLE_IN_QUESTIONS).split())
    if not text:
        raise QuestionError(N_('The question is empty; ask something like "how many casualties?".'))
    if len(text) > MAX_QUESTION:
        raise QuestionError(N_("The question is {length} characters long; keep it under {limit}."),
                            length=len(text), limit=MAX_QUESTION)
    return text


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class SourceRef(View):
    id: str
    publisher: str
    title: str
    url: str | None = None
    document: str | None = None
    published: date | None = None


class Original(View):
    """A claim as its curators wrote it, beside a translation."""

    language: str
    statement: str
    quote: str | None = None


class ClaimView(View):
    id: str
    party_id: str
    party: str
    statement: str
    figure: Figure | None = None
    quote: str | None = None
    status: Status
    verified_by: str | None = None
    verification_note: str | None = None
    sources: list[SourceRef]
    disputed_by: list[str] = []  # party names
    supported_by: list[SourceRef] = []
    note: str | None = None
    updated_at: datetime | None = None
    language: str = DEFAULT_LANGUAGE  # what statement and quote are written in
    # Set when statement/quote are the moderators' translation: the claim as written.
    original: Original | None = None
    figure_translation: FigureTranslation | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def badge(self) -> str:
        return STATUS_BADGE[self.status]

    @property
    def translated(self) -> bool:
        return self.original is not None

    def figure_label(self, speech: Speech = ENGLISH) -> str | None:
        """The figure in the party's bound and words, never a number they did not give."""
        if self.figure is None:
            return None
        return self.figure.label(speech, self.figure_translation)


class PartyVersion(View):
    party_id: str
    party: str
    claims: list[ClaimView]


class TopicRef(View):
    id: str
    title: str
    event_id: str
    event_title: str
    event_date: date | None = None
    score: float | None = None
    language: str = DEFAULT_LANGUAGE  # what title and event_title are written in
    # The published claim base the topic comes from, when the community follows it rather
    # than curating the topic itself (None: the community's own claims).
    base: str | None = None

    @property
    def key(self) -> str:
        """How the community names the topic: its id, or "base/id" for a followed base's."""
        return topic_key(self.base, self.id)


def topic_key(base: str | None, topic_id: str) -> str:
    # "/" is not allowed in ids (knowledge.models.SLUG_PATTERN) nor in base names, so the
    # key is never ambiguous.
    return f"{base}/{topic_id}" if base else topic_id


def short_topic_key(key: str, room: int) -> str:
    """`key` where it fits in `room` characters, else a fixed-length stand-in ("~" + 16 hex
    digits) that `ClaimService.answer_topic` resolves: a followed base's name and a long
    topic id can outgrow a button's 100-character custom_id."""
    return key if len(key) <= room else "~" + hashlib.sha256(key.encode()).hexdigest()[:16]


def split_topic_key(key: str) -> tuple[str | None, str]:
    """(base or None, topic id) of a key made by `topic_key`."""
    base, _, topic_id = key.rpartition("/")
    return (base or None), topic_id


class Answer(View):
    question: str
    decision: Literal["answer", "suggest", "none"]
    topic: TopicRef | None = None
    confidence: float = 0.0
    versions: list[PartyVersion] = []
    suggestions: list[TopicRef] = []
    as_of: datetime | None = None  # when the newest of the shown claims last changed
    # The language the content was asked for; parts without a translation are in
    # `original_language`, the language the topic's claims are written in.
    language: str = DEFAULT_LANGUAGE
    original_language: str = DEFAULT_LANGUAGE

    @property
    def base(self) -> str | None:
        """The followed claim base the answer's claims come from (None: the community's own)."""
        return self.topic.base if self.topic is not None else None

    def base_label(self, ref: TopicRef) -> str | None:
        """The followed base to name beside a related or suggested topic, or None: named only
        where it tells the reader something — a base other than the answer's own, or suggestions
        drawn from more than one base. (Every related topic of an answer from the seed base
        labelled "[belgorod-incursion]" said the same thing three times.)"""
        if self.decision == "answer":
            return ref.base if ref.base != self.base else None
        return ref.base if len({s.base for s in self.suggestions}) > 1 else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def answered(self) -> bool:
        return self.decision == "answer"

    @property
    def claims(self) -> list[ClaimView]:
        return [c for v in self.versions for c in v.claims]

    @property
    def message(self) -> str | None:
        """The sentence to show above the content, when there is no plain answer (English)."""
        return self.message_in(ENGLISH)

    def message_in(self, speech: Speech) -> str | None:
        message = {"suggest": UNSURE_TEXT, "none": NO_ANSWER_TEXT}.get(self.decision)
        return speech.tr(message) if message is not None else None

    @property
    def untranslated(self) -> bool:
        """Whether some claims are shown in the original language for want of a translation."""
        return any(c.language != self.language for c in self.claims)

    def to_json(self, speech: Speech = ENGLISH) -> dict[str, Any]:
        """The machine-readable form (CLI --json): stable keys, plain JSON values. `lang` is
        the interface language of `message` and figure labels; each claim says which
        language its text is in and, when translated, carries the original."""
        return {
            "lang": speech.language,
            "question": self.question,
            "answered": self.answered,
            "decision": self.decision,
            "confidence": round(self.confidence, 3),
            "topic": self.topic.model_dump(mode="json", exclude={"score"}) if self.topic else None,
            "base": self.base,
            "claims": [
                {
                    "id": c.id,
                    "party": c.party,
                    "party_id": c.party_id,
                    "statement": c.statement,
                    # Only the fields the party's figure has (no number when they gave
                    # none), and the label every front end shows.
                    "figure": ({**c.figure.model_dump(mode="json", exclude_none=True),
                                "label": c.figure_label(speech)} if c.figure else None),
                    "quote": c.quote,
                    "language": c.language,
                    "translated": c.translated,
                    "original": c.original.model_dump(mode="json") if c.original else None,
                    "status": c.status.value,
                    "verified_by": c.verified_by,
                    "disputed_by": c.disputed_by,
                    "sources": [s.model_dump(mode="json", exclude_none=True) for s in c.sources],
                    "note": c.note,
                }
                for c in self.claims
            ],
            "suggestions": [s.model_dump(mode="json") for s in self.suggestions],
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "message": self.message_in(speech),
        }


def topic_ref(kb: KnowledgeBase, topic_id: str, score: float | None = None,
              language: str = DEFAULT_LANGUAGE, base: str | None = None) -> TopicRef:
    """A topic's title and event, in `language` where the moderators translated them."""
    topic = kb.topics[topic_id]
    event = kb.event_of(topic_id)
    title, event_title, shown = topic.title, event.title, event.language
    if language != event.language and language in topic.translations:
        title, shown = topic.translations[language].title, language
        if language in event.translations:
            event_title = event.translations[language].title
    return TopicRef(id=topic_id, title=title, event_id=event.id, event_title=event_title,
                    event_date=event.date, score=score, language=shown, base=base)


def compose(
    kb: KnowledgeBase,
    metas: dict[tuple[str, str], Meta],
    question: str,
    topic_id: str,
    *,
    confidence: float,
    also: list[TopicRef] | None = None,
    language: str = DEFAULT_LANGUAGE,
    base: str | None = None,
) -> Answer:
    """Every party's version of one topic, grouped by party and ordered for comparison;
    in `language` wherever the moderators translated it, in the original elsewhere."""
    claims = kb.claims_of(topic_id)
    original = kb.event_of(topic_id).language
    groups: dict[str, list[ClaimView]] = {}
    for claim in claims:
        groups.setdefault(claim.party, []).append(_view(kb, metas, claim, language, original))
    versions = [
        PartyVersion(party_id=pid, party=_party_name(kb, pid, language), claims=views)
        for pid, views in groups.items()
    ]
    versions = _order_versions(versions)
    stamps = [metas[("claim", c.id)].updated_at for c in claims if ("claim", c.id) in metas]
    return Answer(
        question=question,
        decision="answer",
        topic=topic_ref(kb, topic_id, confidence, language, base),
        confidence=confidence,
        versions=versions,
        suggestions=also or [],
        as_of=max(stamps) if stamps else None,
        language=language,
        original_language=original,
    )


def _order_versions(versions: list[PartyVersion]) -> list[PartyVersion]:
    # Contested figures side by side: parties that give a number come first, grouped by
    # what is counted (all "attackers killed" next to each other, then "civilians
    # killed"), in the curator's order otherwise. Sorting is stable, so ties keep it.
    # Only the unit is compared, never the numbers: "dozens" and "70" are not ranked.
    unit_rank: dict[str, int] = {}
    for version in versions:
        for claim in version.claims:
            if claim.figure is not None:
                unit_rank.setdefault(claim.figure.unit.casefold(), len(unit_rank))

    def key(version: PartyVersion) -> tuple[int, int]:
        units = [unit_rank[c.figure.unit.casefold()] for c in version.claims if c.figure is not None]
        return (0, min(units)) if units else (1, 0)

    return sorted(versions, key=key)


def _party_name(kb: KnowledgeBase, party_id: str, language: str = DEFAULT_LANGUAGE) -> str:
    party = kb.parties.get(party_id)
    if party is None:
        return party_id
    return party.translations[language].name if language in party.translations else party.name


def _view(kb: KnowledgeBase, metas: dict[tuple[str, str], Meta], claim: Claim, language: str,
          original_language: str) -> ClaimView:
    def source(sid: str) -> SourceRef:
        s = kb.sources[sid]
        return SourceRef(id=s.id, publisher=s.publisher, title=s.title, url=s.url, document=s.document,
                         published=s.published)

    meta = metas.get(("claim", claim.id))
    translation = claim.translations.get(language) if language != original_language else None
    return ClaimView(
        id=claim.id,
        party_id=claim.party,
        party=_party_name(kb, claim.party, language),
        statement=translation.statement if translation else claim.statement,
        figure=claim.figure,
        figure_translation=translation.figure if translation else None,
        # A quote stays verbatim unless the moderators translated it too.
        quote=(translation.quote or claim.quote) if translation else claim.quote,
        language=language if translation else original_language,
        original=(Original(language=original_language, statement=claim.statement, quote=claim.quote)
                  if translation else None),
        status=claim.status,
        verified_by=claim.verification.by if claim.verification else None,
        verification_note=claim.verification.note if claim.verification else None,
        sources=[source(s) for s in claim.sources if s in kb.sources],
        disputed_by=[_party_name(kb, p, language) for p in claim.disputed_by],
        supported_by=[source(s) for s in claim.supported_by if s in kb.sources],
        note=claim.note,
        updated_at=meta.updated_at if meta else None,
    )
