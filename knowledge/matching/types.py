"""The matcher's inputs and outputs: plain data, shared with the answer layer and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal


@dataclass(frozen=True, slots=True)
class TopicDocument:
    """What the matcher reads about one topic."""

    topic_id: str
    event_id: str
    event_title: str
    event_date: date | None
    title: str
    aliases: tuple[str, ...]
    tags: tuple[str, ...]
    parties: tuple[str, ...]  # names + aliases of the parties that have claims in the topic
    claims: tuple[str, ...]  # claim statements, quotes, figure units and wording
    event_terms: tuple[str, ...]  # event title, location, summary
    # Moderators' translations, per language: (language, (title, aliases…)). Kept apart from
    # the fields above: mixed into them, six languages of phrasings would dilute and
    # mislead the English ones ("any word on sabotage groups" meeting a transliterated alias).
    translations: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    topic_id: str
    event_id: str
    score: float  # 0..1


@dataclass(frozen=True, slots=True)
class MatchResult:
    # "answer": confident, candidates[0] is it; "suggest": unsure, candidates are the
    # "did you mean" list; "none": nothing fits.
    decision: Literal["answer", "suggest", "none"]
    candidates: tuple[Candidate, ...]
    confidence: float
