"""Moderators' phrasings of a topic (aliases, and titles and aliases in other languages),
matched near-verbatim.

A translated topic title and its aliases ("скільки загиблих", "combien de morts") are the
surest sign of what a member writing that language means. They are kept out of the
lexical matcher's English documents (mixed in, six languages of phrasings dilute and
mislead the English ones) and matched here instead, on the whole phrasing: a question
that is one of them, give or take a typo, word order or punctuation, is about that topic.
A shorter question whose words all belong to one phrasing counts too ("كم عدد القتلى" in
"كم عدد القتلى في بيلغورود"): members leave out what the channel already says. Anything
looser is left to the other signals: this index only ever answers when one topic's
phrasing is clearly the one asked.

A topic's own aliases are here too, whole-phrasing only: a question a moderator linked to
a topic is answered with it at once, whatever the fused scores make of it (there the alias
is one phrasing vector, one signal among several). Part of an alias ("how many people")
says too little to answer from.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from .types import TopicDocument

# Near-verbatim: a typo or two, another word order ("загиблих скільки"). Set by what the
# rule means, not fitted: a score of 85 on fuzz.ratio is about one wrong letter in seven.
NEAR_VERBATIM = 85.0
# The best phrasing must belong to one topic clearly: the runner-up topic trails by this much.
CLEAR_LEAD = 10.0

_WORDS = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower case, no accents or vowel marks (Arabic harakat, Latin accents), words only:
    "Combien de morts ?" → "combien de morts"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(_WORDS.findall(unicodedata.normalize("NFKC", bare)))


@dataclass(frozen=True, slots=True)
class PhrasingHit:
    topic_id: str
    language: str  # of the phrasing ("" for an alias: the claim base's own language)
    score: float  # 0..1, how close the question is to the phrasing


ALIAS = ""  # the "language" of a topic's own aliases


class PhrasingIndex:
    """Translated titles and aliases of every topic, by topic; updated as topics change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_topic: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}  # id → (event, ((lang, folded)…))
        self._flat: list[str] | None = None
        self._owners: list[tuple[str, str, str]] = []  # (topic, language, event) of each entry of _flat

    def build(self, documents: Iterable[TopicDocument]) -> None:
        with self._lock:
            self._by_topic = {}
            for document in documents:
                self._put(document)
            self._flat = None

    def upsert(self, document: TopicDocument) -> None:
        with self._lock:
            self._put(document)
            self._flat = None

    def remove(self, topic_id: str) -> None:
        with self._lock:
            if self._by_topic.pop(topic_id, None) is not None:
                self._flat = None

    def _put(self, document: TopicDocument) -> None:
        phrasings = tuple((language, folded) for language, texts in
                          ((ALIAS, document.aliases), *document.translations) for text in texts
                          if (folded := fold(text)))
        if phrasings:
            self._by_topic[document.topic_id] = (document.event_id, phrasings)
        else:
            self._by_topic.pop(document.topic_id, None)

    def match(self, question: str, *, event_id: str | None = None) -> PhrasingHit | None:
        """The topic whose phrasing the question near-verbatim is, or None."""
        asked = fold(question)
        if not asked:
            return None
        with self._lock:
            if self._flat is None:
                self._owners = [(topic_id, language, event) for topic_id, (event, phrasings) in self._by_topic.items()
                                for language, _ in phrasings]
                self._flat = [folded for _, phrasings in self._by_topic.values() for _, folded in phrasings]
            flat, owners = self._flat, self._owners
        best: dict[str, tuple[float, str]] = {}
        asked_words = len(asked.split())
        for phrasing, contained, i in process.extract(asked, flat, scorer=fuzz.token_set_ratio, limit=50,
                                                      score_cutoff=NEAR_VERBATIM - CLEAR_LEAD):
            topic_id, language, event = owners[i]
            if event_id is not None and event != event_id:
                continue
            score = fuzz.token_sort_ratio(asked, phrasing)
            if 2 <= asked_words <= len(phrasing.split()) and language != ALIAS:
                score = max(score, contained)  # the question is (nearly) part of the phrasing
            if score > best.get(topic_id, (-1.0, ""))[0]:
                best[topic_id] = (score, language)
        ranked = sorted(best.items(), key=lambda item: item[1][0], reverse=True)
        if not ranked or ranked[0][1][0] < NEAR_VERBATIM:
            return None
        if len(ranked) > 1 and ranked[0][1][0] - ranked[1][1][0] < CLEAR_LEAD:
            return None
        topic_id, (score, language) = ranked[0]
        return PhrasingHit(topic_id, language, score / 100)
