"""Question → topic matching, with an honest "I don't know".

Design, in the order a question goes through it:

1. Normalise (case, accents, punctuation, Cyrillic transliterated) and split into words;
   drop question scaffolding ("how", "the", "anyone know").
2. Each remaining word becomes a *unit*: its stem plus the lexicon concepts it stands for
   (killed → casualties). Multi-word phrases ("blew up", "who is behind") add concept
   units of their own.
3. A word the index does not know is typo-corrected against the claim base's and the
   lexicon's vocabulary (rapidfuzz). Still unknown, it is either an everyday word (neutral
   chatter: "wondering") or a rare one — a place or a name the claim base does not have
   ("stalingrad") — which counts *against* every topic: that is what keeps near misses out.
4. An inverted index gives each topic's score per unit: IDF (so "russia" counts for less
   than "humvees") times the field the term sits in (aliases > title > tags > party > claims).
   A topic's *coverage* is the share of the question's weight it explains.
5. The best candidates are re-scored with rapidfuzz against their titles and aliases, the
   event context (or, without one, the most recent event) breaks ties, and thresholds on
   coverage, absolute evidence and the margin to the runner-up decide: answer, suggest, none.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz, process

from .lexicon import Lexicon
from .text import STOPWORDS, common_words, normalise, stem
from .types import Candidate, MatchResult, TopicDocument

# Field weights: where a term sits says how much it is about the topic.
FIELD_WEIGHTS: dict[str, float] = {
    "aliases": 1.0,
    "title": 0.95,
    "tags": 0.85,
    "parties": 0.7,
    "claims": 0.6,
    "event_terms": 0.55,
}

# Calibrated on the development question set (benchmarks/matching.py measures them).
ANSWER_COVERAGE = 0.55
ANSWER_EVIDENCE = 1.0  # idf units: at least one specific term, not just the event's name
ANSWER_MARGIN = 0.06
SUGGEST_COVERAGE = 0.3
SUGGEST_EVIDENCE = 0.5
STRONG_FIELD = 0.7  # parties and up: curated names, not free text
STRONG_EVIDENCE = 0.5
TIE = 0.05  # scores this close are a tie, broken by event context or recency
OTHER_EVENT_FACTOR = 0.8  # with a channel's event context, other events' topics weigh less
RESCORE = 12  # candidates re-scored with rapidfuzz


def _texts(doc: TopicDocument, field_name: str) -> tuple[str, ...]:
    value = getattr(doc, field_name)
    return (value,) if isinstance(value, str) else value


@dataclass(slots=True)
class _Unit:
    terms: tuple[str, ...]
    weight: float = 0.0  # idf of the unit's most specific known term
    foreign: bool = False  # a rare word the claim base does not know


@dataclass
class _Scored:
    topic_id: str
    coverage: float
    evidence: float
    strong: float
    score: float = 0.0


@dataclass
class Matcher:
    lexicon: Lexicon | None = None
    _docs: dict[str, TopicDocument] = field(default_factory=dict)
    _postings: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    _terms_of: dict[str, dict[str, float]] = field(default_factory=dict)
    _word_counts: Counter[str] = field(default_factory=Counter)
    _concept_cache: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _vocab_by_len: dict[int, list[str]] | None = None

    def __post_init__(self) -> None:
        if self.lexicon is None:
            self.lexicon = Lexicon.load()
        self._common = common_words()

    # --- index ------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._docs)

    def build(self, docs: Iterable[TopicDocument]) -> None:
        self._docs.clear()
        self._postings.clear()
        self._terms_of.clear()
        self._word_counts.clear()
        for doc in docs:
            self._add(doc)
        self._vocab_by_len = None

    def upsert(self, doc: TopicDocument) -> None:
        if doc.topic_id in self._docs:
            self._remove(doc.topic_id)
        self._add(doc)
        self._vocab_by_len = None

    def remove(self, topic_id: str) -> None:
        if topic_id in self._docs:
            self._remove(topic_id)
            self._vocab_by_len = None

    def _add(self, doc: TopicDocument) -> None:
        terms: dict[str, float] = {}
        words_seen: set[str] = set()
        for field_name, weight in FIELD_WEIGHTS.items():
            for text in _texts(doc, field_name):
                norm = normalise(text)
                for term in self._terms_for_text(norm, words_seen):
                    if terms.get(term, 0.0) < weight:
                        terms[term] = weight
        self._docs[doc.topic_id] = doc
        self._terms_of[doc.topic_id] = terms
        for term, weight in terms.items():
            self._postings[term][doc.topic_id] = weight
        self._word_counts.update(words_seen)

    def _remove(self, topic_id: str) -> None:
        for term in self._terms_of.pop(topic_id):
            posting = self._postings[term]
            posting.pop(topic_id, None)
            if not posting:
                del self._postings[term]
        doc = self._docs.pop(topic_id)
        seen: set[str] = set()
        for field_name in FIELD_WEIGHTS:
            for text in _texts(doc, field_name):
                seen.update(w for w in normalise(text).split() if w not in STOPWORDS)
        self._word_counts.subtract(seen)
        self._word_counts += Counter()  # drop zero counts

    def _terms_for_text(self, norm: str, words_seen: set[str]) -> Iterable[str]:
        assert self.lexicon is not None
        for concept in self.lexicon.phrase_concepts(norm):
            yield "c:" + concept
        for word in norm.split():
            if word in STOPWORDS:
                continue
            words_seen.add(word)
            yield "w:" + stem(word)
            for concept in self._concepts(word):
                yield "c:" + concept

    def _concepts(self, word: str) -> tuple[str, ...]:
        cached = self._concept_cache.get(word)
        if cached is None:
            assert self.lexicon is not None
            cached = tuple(sorted(self.lexicon.concepts_of(word)))
            self._concept_cache[word] = cached
        return cached

    def _idf(self, term: str) -> float:
        n = len(self._docs)
        df = len(self._postings.get(term, ()))
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    # --- typo correction --------------------------------------------------------

    def _correct(self, word: str) -> str | None:
        if len(word) < 4 or not word.isalpha():
            return None
        if self._vocab_by_len is None:
            assert self.lexicon is not None
            by_len: dict[int, list[str]] = defaultdict(list)
            for w in set(self._word_counts) | self.lexicon.vocabulary:
                if len(w) >= 4 and w.isalpha():
                    by_len[len(w)].append(w)
            self._vocab_by_len = dict(by_len)
        choices = [w for n in range(len(word) - 2, len(word) + 3) for w in self._vocab_by_len.get(n, ())]
        # Longer words tolerate more edits: "casualtes" (1 edit in 9) yes, "kil" → "kyiv" no.
        cutoff = 80 if len(word) >= 7 else 75 if len(word) >= 5 else 85
        best = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
        return best[0] if best else None

    # --- the question -----------------------------------------------------------

    def _units(self, question: str) -> tuple[list[_Unit], str]:
        assert self.lexicon is not None
        norm = normalise(question)
        units: list[_Unit] = []
        covered: set[str] = set()
        content: list[str] = []
        for word in norm.split():
            if word in STOPWORDS or len(word) < 2:
                continue
            terms = self._known_terms(word)
            everyday = len(word) <= 2 or word.isdigit() or word in self._common or stem(word) in self._common
            if not terms and not everyday:
                # Only rare words are typo candidates: "latest" is a word, not a typo of "largest".
                fixed = self._correct(word)
                if fixed is not None:
                    terms = self._known_terms(fixed)
                    word = fixed
            if terms:
                units.append(_Unit(terms))
                covered.update(t for t in terms if t.startswith("c:"))
                content.append(word)
            elif everyday:
                continue  # everyday chatter or a number: neither for nor against
            else:
                units.append(_Unit(("w:" + word,), foreign=True))
        for concept in self.lexicon.phrase_concepts(norm):
            term = "c:" + concept
            if term not in covered and term in self._postings:
                units.append(_Unit((term,)))
        foreign_weight = math.log(1 + (len(self._docs) + 0.5) / 0.5)
        for unit in units:
            # A word that stands for a concept weighs what the concept weighs: a synonym
            # ("fatalities") explains a question as fully as the topic's own word would.
            concepts = [t for t in unit.terms if t.startswith("c:")]
            unit.weight = foreign_weight if unit.foreign else max(self._idf(t) for t in (concepts or unit.terms))
        return units, " ".join(content)

    def _known_terms(self, word: str) -> tuple[str, ...]:
        terms = ["w:" + stem(word)] + ["c:" + c for c in self._concepts(word)]
        return tuple(t for t in terms if t in self._postings)

    def match(self, question: str, *, event_id: str | None = None, limit: int = 3) -> MatchResult:
        if not self._docs:
            return MatchResult("none", (), 0.0)
        units, content = self._units(question)
        total = sum(u.weight for u in units)
        if total <= 0:
            return MatchResult("none", (), 0.0)

        gained: dict[str, float] = defaultdict(float)
        # Evidence from a concept or from a topic's own title, aliases or tags. A topic
        # found only through one plain word of a claim's text ("posts") is not answerable.
        strong: dict[str, float] = defaultdict(float)
        for unit in units:
            if unit.foreign:
                continue
            best: dict[str, float] = {}
            best_strong: dict[str, float] = {}
            for term in unit.terms:
                idf = self._idf(term)
                concept = term.startswith("c:")
                for topic_id, weight in self._postings[term].items():
                    value = min(idf * weight, unit.weight)
                    if value > best.get(topic_id, 0.0):
                        best[topic_id] = value
                    if (concept or weight >= STRONG_FIELD) and value > best_strong.get(topic_id, 0.0):
                        best_strong[topic_id] = value
            for topic_id, value in best.items():
                gained[topic_id] += value
            for topic_id, value in best_strong.items():
                strong[topic_id] += value
        if not gained:
            return MatchResult("none", (), 0.0)

        top = sorted(gained.items(), key=lambda kv: kv[1], reverse=True)[: max(RESCORE, limit)]
        scored = [_Scored(tid, g / total, g, strong[tid]) for tid, g in top]
        for s in scored:
            doc = self._docs[s.topic_id]
            names = [normalise(t) for t in (doc.title, *doc.aliases)]
            fuzzy = max((fuzz.token_set_ratio(content, n) for n in names), default=0.0) / 100 if content else 0.0
            s.score = 0.85 * s.coverage + 0.15 * fuzzy * min(1.0, s.coverage * 2)
            if event_id is not None and doc.event_id != event_id:
                s.score *= OTHER_EVENT_FACTOR
        scored.sort(key=lambda s: s.score, reverse=True)
        scored = self._break_ties(scored, event_id)

        best = scored[0]
        same_event = [s for s in scored[1:] if self._docs[s.topic_id].event_id == self._docs[best.topic_id].event_id]
        runner_up = same_event[0].score if same_event else 0.0
        if event_id is None and len(scored) > 1:
            # A different event's topic almost as good is a real ambiguity only when the
            # recency rule did not already decide it.
            runner_up = max(runner_up, 0.0)
        margin = best.score - runner_up
        candidates = tuple(
            Candidate(s.topic_id, self._docs[s.topic_id].event_id, round(min(1.0, s.score), 4)) for s in scored[:limit]
        )
        confidence = round(min(1.0, best.score), 4)
        if best.strong < STRONG_EVIDENCE:
            return MatchResult("none", candidates, confidence)
        if best.coverage >= ANSWER_COVERAGE and best.evidence >= ANSWER_EVIDENCE and margin >= ANSWER_MARGIN:
            return MatchResult("answer", candidates, confidence)
        if best.coverage >= SUGGEST_COVERAGE and best.evidence >= SUGGEST_EVIDENCE:
            return MatchResult("suggest", candidates, confidence)
        return MatchResult("none", candidates, confidence)

    def _break_ties(self, scored: list[_Scored], event_id: str | None) -> list[_Scored]:
        """Near-equal topics from different events: the context's event, else the most recent, first."""
        best = scored[0].score
        tied = [s for s in scored if best - s.score <= TIE]
        if len({self._docs[s.topic_id].event_id for s in tied}) < 2:
            return scored

        def rank(s: _Scored) -> tuple[int, date, float]:
            doc = self._docs[s.topic_id]
            return (int(doc.event_id == event_id), doc.event_date or date.min, s.score)

        winner = max(tied, key=rank)
        return [winner, *[s for s in scored if s is not winner]]

    # --- autocomplete -----------------------------------------------------------

    def complete(self, text: str, *, limit: int = 25) -> list[str]:
        """Topic ids for an autocomplete box: fuzzy over titles and aliases, prefix-friendly."""
        query = normalise(text)
        if not query:
            recent = sorted(self._docs.values(), key=lambda d: d.event_date or date.min, reverse=True)
            return [d.topic_id for d in recent[:limit]]
        choices = {tid: " ".join(normalise(t) for t in (d.title, *d.aliases, d.topic_id)) for tid, d in self._docs.items()}
        found = process.extract(query, choices, scorer=fuzz.WRatio, limit=limit, score_cutoff=50)
        return [key for _, _, key in found]
