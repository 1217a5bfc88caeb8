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
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz, process

from .lexicon import Lexicon
from .text import STOPWORDS, normalise, stem, word_ranks
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
ANSWER_COVERAGE = 0.5
ANSWER_EVIDENCE = 1.0  # idf units: at least one specific term, not just the event's name
ANSWER_MARGIN = 0.02
SUGGEST_COVERAGE = 0.3
SUGGEST_EVIDENCE = 0.5
STRONG_FIELD = 0.7  # above the parties: tags, title, aliases (a party alone is "did you mean")
STRONG_EVIDENCE = 0.5
TIE = 0.05  # scores this close are a tie, broken by event context or recency
OTHER_EVENT_FACTOR = 0.8  # with a channel's event context, other events' topics weigh less
RESCORE = 12  # candidates re-scored with rapidfuzz
CONCEPT_FACTOR = 0.9
COMMON_DF_MIN = 500
COMMON_DF_SHARE = 0.02
QUESTION_TYPE_BONUS = 0.06
_QUESTION_TYPES = (
    ("quantity", re.compile(r"\b(how many|how much|number of|skolko|skilki)\b")),
    ("who", re.compile(r"\b(who|whom|whose|kto|khto|which side|which group)\b")),
    ("why", re.compile(r"\b(why|pochemu|chomu|reason)\b")),
)


def question_type(text: str) -> str | None:
    norm = normalise(text)
    return next((name for name, pattern in _QUESTION_TYPES if pattern.search(norm)), None)


def _tokens(question: str) -> list[tuple[str, bool]]:
    """Normalised words, each with whether it was written in Cyrillic."""
    out: list[tuple[str, bool]] = []
    for raw in question.split():
        cyrillic = any("\u0400" <= ch <= "\u04ff" for ch in raw)
        out.extend((word, cyrillic) for word in normalise(raw).split())
    return out


def _texts(doc: TopicDocument, field_name: str) -> tuple[str, ...]:
    value = getattr(doc, field_name)
    return (value,) if isinstance(value, str) else value


CHATTER = sorted(w for w in STOPWORDS if len(w) >= 3)
# Case and adjective endings of transliterated Russian/Ukrainian words, longest first.
_SLAVIC_ENDING = re.compile(
    r"(skuyu|skaya|skogo|skomu|skikh|skimi|skoi|skii|skoe|ska|sku|skyi|ogo|omu|ykh|ikh|ami|yami|akh|yakh"
    r"|uyu|yuyu|aya|yaya|oye|ogo|ii|yi|oi|ei|om|em|am|ym|im|u|a|e|i|y|o|ya|yu)$"
)
OFF_TOPIC = "not_"  # lexicon concepts of meanings no topic answers (history, sport, …)
RARE = 25000  # frequency rank beyond which a word is rare (not in the everyday lists)


def _against(rank: int) -> float:
    """Unknown everyday words: the 3,000 most common are chatter, rarer ones count against."""
    if rank < 3000:
        return 0.0
    if rank < 12000:
        return 0.15
    return 0.25


@dataclass(slots=True)
class _Unit:
    terms: tuple[str, ...]
    weight: float = 0.0  # idf of the unit's most specific known term
    foreign: bool = False  # a word the claim base does not know
    against: float = 1.0  # how much a foreign word counts against (rarer words count more)


@dataclass
class _Scored:
    topic_id: str
    coverage: float
    evidence: float
    strong: float
    anchored: float
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
    _labels: dict[str, str] | None = None  # autocomplete labels, rebuilt after a change

    def __post_init__(self) -> None:
        if self.lexicon is None:
            self.lexicon = Lexicon.load()
        self._ranks = word_ranks()

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
        self._vocab_by_len = self._labels = None

    def upsert(self, doc: TopicDocument) -> None:
        if doc.topic_id in self._docs:
            self._remove(doc.topic_id)
        self._add(doc)
        self._vocab_by_len = self._labels = None

    def remove(self, topic_id: str) -> None:
        if topic_id in self._docs:
            self._remove(topic_id)
            self._vocab_by_len = self._labels = None

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
            if not concept.startswith(OFF_TOPIC):
                yield "c:" + concept
        for word in norm.split():
            if word in STOPWORDS:
                continue
            words_seen.add(word)
            yield "w:" + stem(word)
            for concept in self._concepts(word):
                if not concept.startswith(OFF_TOPIC):
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
        # Longer words tolerate more edits: "casualtes" (1 edit in 9) yes, "kil" → "kyiv" no;
        # long place names are spelt many ways ("zaporozhye", "zaporizhzhia").
        cutoff = 70 if len(word) >= 9 else 78 if len(word) >= 7 else 75 if len(word) >= 5 else 85
        best = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
        return best[0] if best else None

    def _known_terms_by_stem(self, word: str) -> tuple[str, ...]:
        root = _SLAVIC_ENDING.sub("", word)
        if len(root) < 4:
            return ()
        if self._vocab_by_len is None:
            self._correct("xxxx")  # builds the length buckets
        assert self._vocab_by_len is not None
        for length in range(len(root), len(root) + 4):
            for known in self._vocab_by_len.get(length, ()):
                if known.startswith(root):
                    return self._known_terms(known)
        fixed = self._correct(root)  # "zaporozh" (запорожской) → "zaporizhzhia"
        return self._known_terms(fixed) if fixed is not None else ()

    def _split_compound(self, word: str) -> tuple[str, str] | None:
        """ "nordstream" → ("nord", "stream") when both halves are words the index knows."""
        if len(word) < 7:
            return None
        for cut in range(3, len(word) - 2):
            head, tail = word[:cut], word[cut:]
            if self._known_terms(head) and self._known_terms(tail):
                return head, tail
        return None

    def _is_typo_of_chatter(self, word: str) -> bool:
        """ "wer", "teh": a misspelt function word is chatter, not a rare name."""
        if len(word) > 4:
            return False
        return process.extractOne(word, CHATTER, scorer=fuzz.ratio, score_cutoff=80) is not None

    # --- the question -----------------------------------------------------------

    def _units(self, question: str) -> tuple[list[_Unit], str]:
        assert self.lexicon is not None
        norm = normalise(question)
        units: list[_Unit] = []
        covered: set[str] = set()
        content: list[str] = []
        for word, cyrillic in _tokens(question):
            if word in STOPWORDS or len(word) < 2 or word.isdigit():
                continue
            terms = self._known_terms(word)
            if not terms and cyrillic:
                # Russian and Ukrainian inflect names: "белгородскую" is about "belgorod".
                terms = self._known_terms_by_stem(word)
            rank = min(self._ranks.get(word, RARE), self._ranks.get(stem(word), RARE))
            if not terms and rank >= RARE:
                # Only rare words are typo candidates: "latest" is a word, not a typo of "largest".
                if (parts := self._split_compound(word)) is not None:
                    terms = tuple(dict.fromkeys(t for part in parts for t in self._known_terms(part)))
                elif (fixed := self._correct(word)) is not None:
                    terms = self._known_terms(fixed)
                    word = fixed
                elif self._is_typo_of_chatter(word):
                    continue
            if terms:
                units.append(_Unit(terms))
                covered.update(t for t in terms if t.startswith("c:"))
                content.append(word)
                continue
            # A word the claim base does not know. Everyday chatter ("wondering") is
            # neutral; a rarer word ("stalingrad", "titanic") or a word the lexicon knows
            # as meaningful but no topic has ("founded") is evidence against every topic.
            if cyrillic and not self._concepts(word):
                # Our Russian/Ukrainian word lists are short and miss inflected forms: an
                # unknown Cyrillic word is weak evidence, not a rare name.
                against = 0.0 if rank < 3000 else 0.25
            else:
                against = 1.0 if rank >= RARE or self._concepts(word) else _against(rank)
            if against > 0:
                units.append(_Unit(("w:" + word,), foreign=True, against=against))
        for concept in self.lexicon.phrase_concepts(norm):
            term = "c:" + concept
            if term not in covered and term in self._postings:
                units.append(_Unit((term,)))
        foreign_weight = math.log(1 + (len(self._docs) + 0.5) / 0.5)
        for unit in units:
            # A unit weighs what its most specific term weighs; a topic that has only the
            # concept ("killed" for "fatalities") still earns nearly all of it (see match()).
            if unit.foreign:
                unit.weight = foreign_weight * unit.against
            else:
                unit.weight = max(self._idf(t) for t in unit.terms)
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
        anchored: dict[str, float] = defaultdict(float)  # strong, or a party's name
        # Rarest units first: they pick the candidates. A term found in a large share of
        # all topics ("russia", "killed" in a big base) then only scores the candidates it
        # can still change, instead of walking its whole posting list.
        common_df = max(COMMON_DF_MIN, int(len(self._docs) * COMMON_DF_SHARE))
        for unit in sorted(units, key=lambda u: u.weight, reverse=True):
            if unit.foreign:
                continue
            # A unit explains a topic as much as its weight, times how central the field
            # it was found in is (title > … > event terms). A concept match ("killed" for
            # "casualties") counts a little less than the word itself.
            best: dict[str, float] = {}
            best_strong: dict[str, float] = {}
            best_anchor: dict[str, float] = {}
            for term in unit.terms:
                concept = term.startswith("c:")
                factor = CONCEPT_FACTOR if concept else 1.0
                posting = self._postings[term]
                if len(posting) > common_df and gained:
                    pairs = [(t, posting[t]) for t in gained if t in posting]
                else:
                    pairs = list(posting.items())
                for topic_id, weight in pairs:
                    value = unit.weight * weight * factor
                    if value > best.get(topic_id, 0.0):
                        best[topic_id] = value
                    if (concept or weight > STRONG_FIELD) and value > best_strong.get(topic_id, 0.0):
                        best_strong[topic_id] = value
                    if (concept or weight >= STRONG_FIELD) and value > best_anchor.get(topic_id, 0.0):
                        best_anchor[topic_id] = value
            for topic_id, value in best.items():
                gained[topic_id] += value
            for topic_id, value in best_strong.items():
                strong[topic_id] += value
            for topic_id, value in best_anchor.items():
                anchored[topic_id] += value
        if not gained:
            return MatchResult("none", (), 0.0)

        top = sorted(gained.items(), key=lambda kv: kv[1], reverse=True)[: max(RESCORE, limit)]
        scored = [_Scored(tid, g / total, g, strong[tid], anchored[tid]) for tid, g in top]
        asked = question_type(question)
        for s in scored:
            doc = self._docs[s.topic_id]
            names = [normalise(t) for t in (doc.title, *doc.aliases)]
            fuzzy = max((fuzz.token_set_ratio(content, n) for n in names), default=0.0) / 100 if content else 0.0
            s.score = 0.85 * s.coverage + 0.15 * fuzzy * min(1.0, s.coverage * 2)
            # Titles are questions too: "who …?" asks for the responsibility topic of an
            # event, "how many …?" for its figures, "why …?" for its reasons.
            if asked is not None and asked in {question_type(n) for n in (doc.title, *doc.aliases)}:
                s.score += QUESTION_TYPE_BONUS
            if event_id is not None and doc.event_id != event_id:
                s.score *= OTHER_EVENT_FACTOR
        scored.sort(key=lambda s: s.score, reverse=True)
        scored, tie_broken = self._break_ties(scored, event_id)
        # Choosing between events by recency is only safe for a question that is
        # otherwise fully understood: "how many died?" yes, "how many died on the titanic?" no.
        recency_guess = tie_broken and event_id is None and any(u.foreign for u in units)

        best = scored[0]
        same_event = [s for s in scored[1:] if self._docs[s.topic_id].event_id == self._docs[best.topic_id].event_id]
        # The margin is to the best sibling topic of the same event: near-equal topics of
        # other events were already settled by the tie rule above.
        runner_up = same_event[0].score if same_event else 0.0
        margin = best.score - runner_up
        candidates = tuple(
            Candidate(s.topic_id, self._docs[s.topic_id].event_id, round(min(1.0, s.score), 4)) for s in scored[:limit]
        )
        confidence = round(min(1.0, best.score), 4)
        if best.coverage >= ANSWER_COVERAGE and best.evidence >= ANSWER_EVIDENCE and margin >= ANSWER_MARGIN \
                and best.strong >= STRONG_EVIDENCE and not recency_guess:
            return MatchResult("answer", candidates, confidence)
        if best.coverage >= SUGGEST_COVERAGE and best.evidence >= SUGGEST_EVIDENCE and best.anchored >= STRONG_EVIDENCE:
            return MatchResult("suggest", candidates, confidence)
        return MatchResult("none", candidates, confidence)

    def _break_ties(self, scored: list[_Scored], event_id: str | None) -> tuple[list[_Scored], bool]:
        """Near-equal topics from different events: the context's event, else the most recent, first."""
        best = scored[0].score
        tied = [s for s in scored if best - s.score <= TIE]
        if len({self._docs[s.topic_id].event_id for s in tied}) < 2:
            return scored, False

        def rank(s: _Scored) -> tuple[int, date, float]:
            doc = self._docs[s.topic_id]
            return (int(doc.event_id == event_id), doc.event_date or date.min, s.score)

        winner = max(tied, key=rank)
        return [winner, *[s for s in scored if s is not winner]], True

    # --- autocomplete -----------------------------------------------------------

    def complete(self, text: str, *, limit: int = 25) -> list[str]:
        """Topic ids for an autocomplete box: fuzzy over titles and aliases, prefix-friendly."""
        query = normalise(text)
        if not query:
            recent = sorted(self._docs.values(), key=lambda d: d.event_date or date.min, reverse=True)
            return [d.topic_id for d in recent[:limit]]
        if self._labels is None:
            self._labels = {tid: " ".join(normalise(t) for t in (d.title, *d.aliases, d.topic_id))
                            for tid, d in self._docs.items()}
        found = process.extract(query, self._labels, scorer=fuzz.WRatio, limit=limit, score_cutoff=50)
        return [key for _, _, key in found]
