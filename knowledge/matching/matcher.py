"""Question → topic matching, with an honest "I don't know".

Design, in the order a question goes through it:

1. Normalise (case, accents, punctuation, Cyrillic transliterated) and split the message
   into sentences: in a chatty message the question sentences count fully, the chatter
   around them at half weight. Question scaffolding ("how", "the", "anyone know") is
   dropped, but the question's *type* is kept: who / how many / why / how / yes-no.
2. Each remaining word becomes a *unit*: its stem plus the lexicon concepts it stands for
   (killed → casualties). Multi-word phrases ("blew up", "death toll") add concept units.
3. A word the index does not know is read as inflected Russian/Ukrainian (its root),
   a compound ("nordstream"), or a typo of the claim base's or the lexicon's vocabulary
   (rapidfuzz, length-aware limits, not for short words). Still unknown, it is either an
   everyday word (neutral chatter) or a rare one — a place or a name the claim base does
   not have ("stalingrad") — which counts *against* every topic: that keeps near misses out.
4. An inverted index (numpy arrays per term) gives each topic's score per unit: IDF (so
   "russia" counts for less than "humvees") times the field the term sits in (aliases >
   title > tags > parties > claims > event terms). A topic's *coverage* is the share of the
   question's weight it explains.
5. The best candidates are re-scored: rapidfuzz against their titles and aliases, the
   question type against the title's, and the event context (or, without one, the most
   recent event among near-equal matches). Thresholds on coverage, evidence from
   central fields, and the margin to the best sibling topic decide: answer, suggest, none.
   A question is only answered when both its concept and its subject fit — or the event
   context supplies the subject, or it names no subject at all and is fully understood
   (then the most recent event's topic is the answer and the others are suggestions).
"""

from __future__ import annotations

import bisect
import functools
import math
import re
import threading
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, TypeVar

import numpy as np
from rapidfuzz import fuzz, process

from .lexicon import Lexicon
from .parameters import LEXICAL, LexicalParameters
from .text import STOPWORDS, Token, normalise, sentences, stem, tokens, word_ranks
from .types import Candidate, MatchResult, TopicDocument

# The hand-set numbers (field weights, thresholds, ranks, bonuses) are in one frozen
# dataclass, each with where it came from: parameters.LexicalParameters.

# Question types: a title is a question too, and "who …?" asks for a different topic of
# the same event than "how many …?".
_TYPE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("measure", re.compile(r"\b(how (many|much|badly|bad|big|large|close|far|long|serious|severe)|number of|"
                           r"extent|skolko|skilki|naskolko|naskilki|(kak|yak) (daleko|blizko|silno|sil'no))\b")),
    ("who", re.compile(r"\b(who|whom|whose|which (side|group|country|party)|kto|khto|kogo|chey|chiy)\b")),
    ("why", re.compile(r"\b(why|what made|reason|reasons|motive|pochemu|zachem|chomu|navishcho)\b")),
    ("how", re.compile(r"\b(how|kak|yak|chem)\b")),
    ("yesno", re.compile(r"^(did|was|were|is|are|has|have|do|does|can|could|will|had)\b|\b(li|chi)\b")),
)
# One pattern: a search finds the leftmost interrogative, and at one place the type listed
# first wins ("how many" is a measure, not a "how").
_TYPES = re.compile("|".join(f"(?P<{name}>{pattern.pattern})" for name, pattern in _TYPE_PATTERNS))
_CONFLICTING = frozenset({"measure", "who", "why", "how"})
_INTERROGATIVE = re.compile(r"\b(what|whats|which|when|where|any|chto|kogda|gde|khto|kto|de|koly|shcho)\b")
# "who blew up …", "кто взорвал …": asking who did an act is asking who is responsible.
_WHO = frozenset({"who", "whom", "kto", "khto"})
_ACTS = frozenset({"explosion", "damage"})  # destructive acts (an attack has attackers: their identity is a topic too)
# "what is NATO", "who was Richard Wagner": a question for a definition, not about a topic.
# (Russian and Ukrainian as transliterated: "что такое …", "хто такий …")
_DEFINITION = re.compile(r"^((what|who) (is|are|was|were) (a |an |the )?|(chto|shcho) (takoe|take) |"
                         r"(kto|khto) (takoi|takaia|takie|takii|taka|taki) )(?P<rest>.+)$")
# "tell us", "for us": the pronoun, not the country.
_PRONOUN_BEFORE_US = frozenset(
    "tell told give gave let help show showed send for to with of about among like join against from let's".split()  # noqa: SIM905
)
# Dates a question names: a year or a month that is not its event's points at another event
# at the same place ("killed in Belgorod in December 2023" is not the May 2023 raid).
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_MONTHS = {name: n for n, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march",), ("april", "apr"), ("may",), ("june", "jun"),
    ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
    ("november", "nov"), ("december", "dec")), 1) for name in names}
_MONTH = re.compile(r"\b(?:\d{1,2}(?:st|nd|rd|th)? )?(" + "|".join(sorted(_MONTHS, key=len, reverse=True))
                    + r")\b(?: \d{1,2}(?:st|nd|rd|th)?\b)?(?: (?:19|20)\d\d\b)?")
_PHONETIC = (("ck", "k"), ("ph", "f"), ("x", "ks"), ("c", "k"), ("q", "k"), ("w", "v"), ("y", "i"), ("j", "i"))
_DOUBLED = re.compile(r"(.)\1+")


# Case and adjective endings of transliterated Russian/Ukrainian words, longest first.
_SLAVIC_ENDING = re.compile(
    r"(skuyu|skaya|skogo|skomu|skikh|skimi|skoi|skii|skoe|ska|sku|skyi|ogo|omu|ykh|ikh|ami|yami|akh|yakh"
    r"|uyu|yuyu|aya|yaya|oye|ii|yi|oi|ei|om|em|am|ym|im|u|a|e|i|y|o|ya|yu)$"
)
CHATTER = sorted(w for w in STOPWORDS if len(w) >= 3)
_ASCII_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


def phonetic(word: str) -> str:
    """A spelling-neutral key: transliterations and misspellings of one name meet
    ("krokus"/"crocus", "vagner"/"wagner", "kiyv"/"kyiv")."""
    for old, new in _PHONETIC:
        word = word.replace(old, new)
    return _DOUBLED.sub(r"\1", word)


def question_types(text: str) -> frozenset[str]:
    """The types of a question: each sentence's leftmost interrogative."""
    found: set[str] = set()
    for sentence in sentences(text) or [text]:
        if (m := _TYPES.search(normalise(sentence))) is not None and m.lastgroup:
            found.add(m.lastgroup)
    return frozenset(found)


def named_dates(text: str) -> tuple[frozenset[int], frozenset[int]]:
    """The years and months a question names. A month counts only beside a day or a year
    ("30 december", "june 2023"): alone, "may" and "march" are verbs far more often."""
    norm = normalise(text)
    years = frozenset(int(y) for y in _YEAR.findall(norm))
    months = frozenset(_MONTHS[m.group(1)] for m in _MONTH.finditer(norm) if m.group(0) != m.group(1))
    return years, months


def _title_type(title: str) -> str | None:
    m = _TYPES.search(normalise(title.split(",")[0]))
    return m.lastgroup if m is not None else None


def _texts(doc: TopicDocument, field_name: str) -> tuple[str, ...]:
    value = getattr(doc, field_name)
    return (value,) if isinstance(value, str) else tuple(value)


def _against(rank: int, p: LexicalParameters) -> float:
    """Unknown everyday words: the most common are chatter, rarer ones count against."""
    if rank < p.chatter_rank:
        return 0.0
    if rank < p.uncommon_rank:
        return p.uncommon_against
    return p.common_against


@dataclass(slots=True)
class _Unit:
    terms: tuple[tuple[int, float], ...]  # (term id, factor: 1 for the word, concept_factor for a concept)
    weight: float = 0.0
    foreign: bool = False  # a word the claim base does not know
    name: bool = False  # … and a rare one, not in the lexicon either: a place or a name ("stalingrad")
    against: float = 0.0  # how much a foreign word counts against (rarer words count more)
    meaningful: bool = False  # … a foreign word the lexicon knows a meaning of ("visit", "founded")
    subject: bool = False  # names something (an entity or a rare word), not just an aspect
    aspect: bool = False  # stands for a concept the question asks about (casualties, damage, …)
    scale: float = 1.0  # chatter around the question counts less


@dataclass(slots=True)
class _Question:
    units: list[_Unit]
    content: str  # the understood words, for fuzzy re-scoring against titles
    types: frozenset[str]
    unexplained: int  # words neither understood nor everyday chatter
    has_subject: bool
    definition: bool
    is_question: bool  # phrased as a question ("?" or an interrogative), not "ok thanks that helps"
    objection: bool  # a word of the question proper has a meaning no topic has ("visit")


@dataclass(slots=True)
class _Scored:
    slot: int
    coverage: float
    evidence: float = 0.0
    strong: float = 0.0
    anchored: float = 0.0
    score: float = 0.0
    subjects: frozenset[int] = frozenset()  # the question's subject units this topic matches
    concept_fit: bool = False  # a unit other than the event's own name matches it


@dataclass(slots=True)
class _TopicInfo:
    names: tuple[str, ...]  # normalised title and aliases, their content words
    title_type: str | None
    label: str  # for autocomplete


@dataclass(slots=True)
class _Posting:
    slots: array[int] = field(default_factory=lambda: array("i"))
    weights: array[float] = field(default_factory=lambda: array("f"))


_F = TypeVar("_F", bound=Callable[..., Any])


def _locked(method: _F) -> _F:
    @functools.wraps(method)
    def wrapper(self: Matcher, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class Matcher:
    def __init__(self, lexicon: Lexicon | None = None, lexical: LexicalParameters = LEXICAL) -> None:
        self._p = lexical
        # One question at a time per matcher, and never while an edit is applied: the
        # postings are numpy views over growable arrays.
        self._lock = threading.RLock()
        self.lexicon = lexicon if lexicon is not None else Lexicon.load()
        self._ranks = word_ranks()
        self._word_cache: dict[tuple[str, bool], tuple[str, ...]] = {}
        self._text_cache: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}
        self._latin_terms: dict[str, tuple[str, ...]] = {}  # index terms of a Latin-script word (() for a stopword)
        self._concept_cache: dict[tuple[str, bool], frozenset[str]] = {}
        self._reset()

    def _reset(self) -> None:
        self._building = False
        self._pending: list[tuple[int, array[int], array[float]]] = []
        self._docs: dict[str, TopicDocument] = {}
        self._slot_of: dict[str, int] = {}
        self._slot_topic: list[str | None] = []
        self._slot_terms: list[array[int] | None] = []
        self._slot_weights: list[array[float] | None] = []
        self._info: dict[str, _TopicInfo] = {}
        self._term_id: dict[str, int] = {}
        self._postings: list[_Posting] = []
        self._df: list[int] = []
        self._capacity = 0
        self._alive = np.zeros(0, dtype=np.float32)
        self._event_of = np.zeros(0, dtype=np.int32)
        self._date_of = np.zeros(0, dtype=np.int32)
        self._event_ids: dict[str, int] = {}
        self._event_terms: dict[int, frozenset[int]] = {}  # an event's own name and description
        # Words of event titles ("Wagner", "Kerch"), counted over live topics: a question word
        # that names an event is a subject however common it is elsewhere (Wagner the composer).
        self._title_words: dict[int, int] = {}
        self._dead = 0
        # Vocabulary for typo correction: word → how many topics use it, bucketed by
        # (first letter, length) so a correction looks at a few hundred words, not all.
        self._word_count: dict[str, int] = {}
        self._buckets: dict[tuple[str, int], dict[str, str]] = {}  # rapidfuzz reads the values
        self._sorted_words: list[str] = []
        for word in self.lexicon.vocabulary:
            self._vocab_add(word)
        self._lexicon_words = frozenset(self.lexicon.vocabulary)
        self._correction_cache: dict[str, str | None] = {}
        # Autocomplete: label word → topic ids, plus the label words in order for prefixes.
        # Built on the first autocomplete call, then kept up to date by every edit.
        self._label_index: dict[str, set[str]] | None = None
        self._label_words: list[str] = []
        self._label_buckets: dict[tuple[str, int], dict[str, str]] = {}
        self._recent: list[str] | None = None

    # --- index ------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._docs)

    @_locked
    def build(self, docs: Iterable[TopicDocument]) -> None:
        """Replace the whole index."""
        docs = list({d.topic_id: d for d in docs}.values())  # one document per topic: the last wins
        self._reset()
        self._building = True  # sorted word lists are sorted once at the end, not kept sorted
        try:
            for doc in docs:
                self._add(doc)
        finally:
            self._building = False
            self._flush_pending()
            self._text_cache.clear()  # texts repeat within a build (an event's summary), not after it
            self._sorted_words = sorted(set(self._sorted_words))
            self._correction_cache.clear()

    def _flush_pending(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        slots = np.concatenate([np.full(len(t), slot, dtype=np.int32) for slot, t, _ in pending])
        tids = np.concatenate([np.frombuffer(t, dtype=np.int32) for _, t, _ in pending])
        weights = np.concatenate([np.frombuffer(w, dtype=np.float32) for _, _, w in pending])
        if not len(tids):
            return  # only topics without a single word to index (a title of punctuation)
        order = np.argsort(tids, kind="stable")
        tids, slots, weights = tids[order], slots[order], weights[order]
        bounds = np.flatnonzero(np.diff(tids)) + 1
        starts = np.concatenate(([0], bounds))
        ends = np.concatenate((bounds, [len(tids)]))
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            tid = int(tids[start])
            posting = self._postings[tid]
            posting.slots.frombytes(slots[start:end].tobytes())
            posting.weights.frombytes(weights[start:end].tobytes())
            self._df[tid] += end - start

    @_locked
    def upsert(self, doc: TopicDocument) -> None:
        """Add or replace one topic; takes effect for the next question."""
        if doc.topic_id in self._slot_of:
            self._remove(doc.topic_id)
        self._add(doc)
        if self._dead > max(1000, len(self._docs)):
            self.build(list(self._docs.values()))  # compact the slots of removed topics

    @_locked
    def remove(self, topic_id: str) -> None:
        if topic_id in self._slot_of:
            self._remove(topic_id)

    def _term(self, term: str) -> int:
        tid = self._term_id.get(term)
        if tid is None:
            tid = self._term_id[term] = len(self._postings)
            self._postings.append(_Posting())
            self._df.append(0)
        return tid

    def _grow(self, needed: int) -> None:
        if needed <= self._capacity:
            return
        capacity = max(1024, self._capacity * 2, needed)
        for name, dtype in (("_alive", np.float32), ("_event_of", np.int32), ("_date_of", np.int32)):
            old = getattr(self, name)
            new = np.zeros(capacity, dtype=dtype)
            new[: len(old)] = old
            setattr(self, name, new)
        self._capacity = capacity

    def _analyse(self, doc: TopicDocument) -> tuple[dict[str, float], set[str], set[str]]:
        """A topic's index terms with the weight of the most central field each sits in, its
        words, and the terms of its event's own description (title, location, summary)."""
        terms: dict[str, float] = {}
        words_seen: set[str] = set()
        event_terms: set[str] = set()
        for field_name, weight in self._p.field_weights:
            texts = _texts(doc, field_name)
            if field_name == "event_terms":
                texts = (doc.event_title, *texts)
            for text in texts:
                found = self._text_terms(text, words_seen)
                if field_name == "event_terms":
                    event_terms |= found
                for term in found:
                    if terms.get(term, 0.0) < weight:
                        terms[term] = weight
        return terms, words_seen, event_terms

    def _add(self, doc: TopicDocument) -> None:
        terms, words_seen, event_terms = self._analyse(doc)
        slot = len(self._slot_topic)
        self._grow(slot + 1)
        self._slot_topic.append(doc.topic_id)
        self._slot_of[doc.topic_id] = slot
        self._docs[doc.topic_id] = doc
        term_id = self._term_id
        tids = array("i", [term_id[t] if t in term_id else self._term(t) for t in terms])
        weights = array("f", terms.values())
        if self._building:
            # Postings are grouped in batches (numpy), not appended term by term.
            self._pending.append((slot, tids, weights))
            if len(self._pending) >= 8192:
                self._flush_pending()
        else:
            postings, df = self._postings, self._df
            for tid, weight in zip(tids, weights, strict=True):
                posting = postings[tid]
                posting.slots.append(slot)
                posting.weights.append(weight)
                df[tid] += 1
        self._slot_terms.append(tids)
        self._slot_weights.append(weights)
        word_count, lexicon_words = self._word_count, self._lexicon_words
        for word in words_seen:
            count = word_count.get(word, 0)
            word_count[word] = count + 1
            if count == 0 and word not in lexicon_words:
                self._vocab_add(word)
        self._alive[slot] = 1.0
        event = self._event_of[slot] = self._event_ids.setdefault(doc.event_id, len(self._event_ids))
        self._event_terms[event] = frozenset(term_id[t] for t in event_terms)
        for tid in self._title_word_ids(doc):
            self._title_words[tid] = self._title_words.get(tid, 0) + 1
        self._date_of[slot] = doc.event_date.toordinal() if doc.event_date else 0
        full = [normalise(t) for t in (doc.title, *doc.aliases)]
        names = tuple(c for c in (" ".join(w for w in n.split() if w not in STOPWORDS) for n in full) if c)
        label = " ".join((*full, normalise(doc.topic_id)))
        self._info[doc.topic_id] = _TopicInfo(names, _title_type(doc.title), label)
        if self._label_index is not None:
            for word in set(label.split()):
                self._label_add(word, doc.topic_id)
        self._recent = None
        if words_seen and not self._building:
            self._correction_cache.clear()

    def _remove(self, topic_id: str) -> None:
        slot = self._slot_of.pop(topic_id)
        doc = self._docs.pop(topic_id)
        tids, self._slot_terms[slot] = self._slot_terms[slot], None
        self._slot_weights[slot] = None
        assert tids is not None
        for tid in tids:
            self._df[tid] -= 1  # the posting keeps the dead slot; the alive mask hides it
        self._slot_topic[slot] = None
        self._alive[slot] = 0.0
        for tid in self._title_word_ids(doc):
            left = self._title_words[tid] - 1
            if left:
                self._title_words[tid] = left
            else:
                del self._title_words[tid]
        self._dead += 1
        _, words_seen, _ = self._analyse(doc)  # recomputed rather than kept: memory at 100,000 topics
        for word in words_seen:
            count = self._word_count[word] - 1
            if count:
                self._word_count[word] = count
            else:
                del self._word_count[word]
                if word not in self._lexicon_words:
                    self._vocab_remove(word)
        info = self._info.pop(topic_id)
        if self._label_index is not None:
            for word in set(info.label.split()):
                self._label_remove(word, topic_id)
        self._recent = None
        self._correction_cache.clear()

    def _title_word_ids(self, doc: TopicDocument) -> list[int]:
        """The word terms (not concepts, not numbers) of a topic's event title."""
        found = self._text_terms(doc.event_title, set())
        return [self._term_id[t] for t in found if t.startswith("w:") and not t[2:].isdigit()]

    def _text_terms(self, text: str, words_seen: set[str]) -> frozenset[str]:
        cached = self._text_cache.get(text)
        if cached is None:
            if text.isascii():
                plain = _ASCII_WORD.findall(text.lower())
                flags = None
            else:
                toks = tokens(text)
                plain = [t.word for t in toks]
                flags = [t.cyrillic for t in toks]
            found: set[str] = set()
            for concept in self.lexicon.phrase_concepts(plain):
                if not self.lexicon.is_off_topic(concept):
                    found.add("c:" + concept)
            content: list[str] = []
            latin = self._latin_terms
            for i, word in enumerate(plain):
                terms: tuple[str, ...] | None
                if flags is not None and flags[i]:
                    terms = self._word_terms(word, True) if word not in STOPWORDS else ()
                else:
                    terms = latin.get(word)
                    if terms is None:
                        terms = latin[word] = self._word_terms(word, False) if word not in STOPWORDS else ()
                if terms:
                    content.append(word)
                    found.update(terms)
            if len(self._text_cache) > 20_000:
                self._text_cache.clear()
            if len(latin) > 500_000:
                latin.clear()
            cached = self._text_cache[text] = (frozenset(found), tuple(content))
        words_seen.update(cached[1])
        return cached[0]

    def _word_terms(self, word: str, cyrillic: bool) -> tuple[str, ...]:
        """Index terms of one word: its stem and its concepts (off-topic concepts aside)."""
        key = (word, cyrillic)
        cached = self._word_cache.get(key)
        if cached is None:
            cached = ("w:" + stem(word), *("c:" + c for c in sorted(self._concepts(word, cyrillic))
                                          if not self.lexicon.is_off_topic(c)))
            if len(self._word_cache) > 500_000:
                self._word_cache.clear()
            self._word_cache[key] = cached
        return cached

    def _concepts(self, word: str, cyrillic: bool = False) -> frozenset[str]:
        key = (word, cyrillic)
        cached = self._concept_cache.get(key)
        if cached is None:
            cached = frozenset(self.lexicon.concepts_of(word, cyrillic))
            if len(self._concept_cache) > 500_000:
                self._concept_cache.clear()
            self._concept_cache[key] = cached
        return cached

    def _idf(self, tid: int) -> float:
        n = len(self._docs)
        df = self._df[tid]
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    # --- vocabulary and typo correction -------------------------------------------

    @staticmethod
    def _bucket(key: str) -> tuple[str, int]:
        return key[0], len(key)

    def _vocab_add(self, word: str) -> None:
        if len(word) < 4 or not word.isalpha():
            return
        key = phonetic(word)
        self._buckets.setdefault(self._bucket(key), {})[word] = key
        if self._building:
            self._sorted_words.append(word)
            return
        i = bisect.bisect_left(self._sorted_words, word)
        if i == len(self._sorted_words) or self._sorted_words[i] != word:
            self._sorted_words.insert(i, word)

    def _vocab_remove(self, word: str) -> None:
        if len(word) < 4 or not word.isalpha():
            return
        self._buckets.get(self._bucket(phonetic(word)), {}).pop(word, None)
        i = bisect.bisect_left(self._sorted_words, word)
        if i < len(self._sorted_words) and self._sorted_words[i] == word:
            del self._sorted_words[i]

    def _correct(self, word: str) -> str | None:
        """The claim base's or lexicon's word this one is a typo of, if any."""
        shortest = self._p.typo_cutoffs[-1][0]
        if len(word) < shortest or not word.isalpha():
            return None
        if word in self._correction_cache:
            return self._correction_cache[word]
        # Longer words tolerate more edits: "casualtes" (1 edit in 9) yes, "kil" → "kyiv" no;
        # long place names are spelt many ways ("zaporozhye", "zaporizhzhia").
        n = len(word)
        cutoff = next(c for length, c in self._p.typo_cutoffs if n >= length)
        spread = 2 if n >= self._p.typo_long_spread else 1
        key = phonetic(word)
        best: tuple[float, int, str] | None = None
        for length in range(len(key) - spread, len(key) + spread + 1):
            bucket = self._buckets.get((key[0], length))
            if not bucket:
                continue
            # Compared by spelling-neutral keys; a tie goes to the word more topics use.
            for _, score, choice in process.extract(key, bucket, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3):
                rank = (score, self._word_count.get(choice, 0), choice)
                if best is None or rank > best:
                    best = rank
        found = best[2] if best else None
        if len(self._correction_cache) > 50_000:
            self._correction_cache.clear()
        self._correction_cache[word] = found
        return found

    def _known_by_root(self, word: str) -> str | None:
        """An inflected Russian/Ukrainian word's form in the claim base: "belgorodskuyu" → "belgorod"."""
        root = _SLAVIC_ENDING.sub("", word)
        if len(root) < 4:
            return None
        i = bisect.bisect_left(self._sorted_words, root)
        best: str | None = None
        for known in self._sorted_words[i: i + 50]:
            if not known.startswith(root):
                break
            if len(known) <= len(root) + self._p.root_extra and (best is None or len(known) < len(best)):
                best = known
        if best is not None:
            return best
        return self._correct(root)  # "zaporozh" (запорожской) → "zaporizhzhia"

    def _split_compound(self, word: str, *, fuzzy: bool = False) -> tuple[str, str] | None:
        """ "nordstream" → ("nord", "stream") when both halves are words the index knows;
        `fuzzy`: one half may be a typo of such a word ("nordstrem" → "nord", "stream")."""
        if len(word) < self._p.compound_length:
            return None
        for cut in range(3, len(word) - 2):
            head, tail = word[:cut], word[cut:]
            head_known, tail_known = bool(self._known(head, False)), bool(self._known(tail, False))
            if head_known and tail_known:
                return head, tail
            if fuzzy and head_known and (fixed := self._correct(tail)) is not None:
                return head, fixed
            if fuzzy and tail_known and (fixed := self._correct(head)) is not None:
                return fixed, tail
        return None

    def _is_typo_of_chatter(self, word: str) -> bool:
        """ "wer", "teh": a misspelt function word is chatter, not a rare name."""
        if len(word) > self._p.chatter_typo_length:
            return False
        cutoff = self._p.chatter_typo_cutoff
        return process.extractOne(word, CHATTER, scorer=fuzz.ratio, score_cutoff=cutoff) is not None

    # --- the question -----------------------------------------------------------

    def _known(self, word: str, cyrillic: bool) -> tuple[int, ...]:
        """The index terms of a word that some live topic has."""
        out = []
        for term in self._word_terms(word, cyrillic):
            tid = self._term_id.get(term)
            if tid is not None and self._df[tid] > 0:
                out.append(tid)
        return tuple(out)

    def _rank(self, word: str) -> int:
        return min(self._ranks.get(word, self._p.rare), self._ranks.get(stem(word), self._p.rare))

    def _question(self, question: str) -> _Question:
        parts = sentences(question) or [question]
        asking = [p for p in parts if "?" in p or question_types(p) - {"how"}]
        if len(parts) > 1 and asking and len(asking) < len(parts):
            weighted = [(p, 1.0 if p in asking else self._p.context_sentence) for p in parts]
        else:
            weighted = [(question, 1.0)]
        units: list[_Unit] = []
        content: list[str] = []
        unexplained = 0
        types: set[str] = set()
        for text, scale in weighted:
            toks = tokens(text)
            plain = [t.word for t in toks]
            # Phrases first: their words are understood ("neo nazis"), or mean nothing ("back in").
            in_phrase: set[int] = set()
            chatter: set[int] = set()
            phrase_concepts: set[str] = set()
            for start, end, concepts in self.lexicon.phrase_spans(plain):
                (in_phrase if concepts else chatter).update(range(start, end))
                phrase_concepts |= concepts
            covered: set[int] = set()
            sentence_units: list[_Unit] = []
            for i, token in enumerate(toks):
                if i in chatter:
                    continue
                unit, word, notable = self._unit(token, plain[i - 1] if i else "")
                if i in in_phrase:
                    if unit is None or unit.foreign:
                        continue
                elif notable:
                    unexplained += 1
                if unit is None:
                    continue
                unit.scale = scale
                if unit.foreign and scale < 1.0:
                    # The chatter around a question ("long time lurker") is not what it asks about.
                    unit.name = False
                    unit.against *= self._p.context_foreign
                sentence_units.append(unit)
                if not unit.foreign:
                    covered.update(tid for tid, _ in unit.terms)
                    content.append(word)
            for concept in phrase_concepts:
                tid = self._term_id.get("c:" + concept)
                if tid is not None and tid not in covered and self._df[tid] > 0:
                    sentence_units.append(_Unit(((tid, self._p.concept_factor),), scale=scale,
                                                subject=self.lexicon.is_entity(concept),
                                                aspect=not self.lexicon.is_entity(concept)))
            if "c:responsibility" in self._term_id:
                starting: dict[int, frozenset[str]] = {}
                for start, _, concepts in self.lexicon.phrase_spans(plain):
                    starting[start] = starting.get(start, frozenset()) | concepts
                self._who_did(toks, plain, starting, sentence_units, scale)
            units.extend(sentence_units)
            if scale == 1.0:
                types |= question_types(text)
        foreign_weight = math.log(1 + (len(self._docs) + 0.5) / 0.5)
        for unit in units:
            # A unit weighs what its most specific term weighs; a topic that has only the
            # concept ("killed" for "fatalities") still earns nearly all of it.
            if unit.foreign:
                unit.weight = foreign_weight * unit.against * unit.scale
            else:
                unit.weight = max(self._idf(tid) for tid, _ in unit.terms) * unit.scale
        known = [u for u in units if not u.foreign]
        # "what is NATO", "who was Richard Wagner": a definition, whatever topic names it.
        definition = (_DEFINITION.match(normalise(question)) is not None and len(known) <= 3
                      and not any(u.aspect for u in known))
        is_question = "?" in question or bool(types) or _INTERROGATIVE.search(normalise(question)) is not None
        objection = any(u.meaningful and u.scale == 1.0 for u in units)
        return _Question(units, " ".join(content), frozenset(types), unexplained,
                         any(u.subject for u in known), definition, is_question, objection)

    def _who_did(self, toks: list[Token], plain: list[str], phrases: dict[int, frozenset[str]],
                 units: list[_Unit], scale: float) -> None:
        """ "who blew up the bridge?", "did Ukraine blow up the bridge?": asking who did a
        destructive act is asking who is responsible for it."""
        tid = self._term_id["c:responsibility"]
        if self._df[tid] == 0 or any(tid in (t for t, _ in u.terms) for u in units):
            return
        act_at: int | None = None
        for i, word in enumerate(plain[:-1]):
            if word in _WHO:
                act_at = i + 1
                break
        if act_at is None and len(plain) > 2 and plain[0] in ("did", "has", "have"):
            # "did <actor> <act> …": the actor as the subject, then the act.
            i = 2 if plain[1] in ("the", "a", "an") else 1
            if i + 1 < len(plain) and self.lexicon.actors & self._concepts(toks[i].word, toks[i].cyrillic):
                act_at = i + 1
        if act_at is None:
            return
        act = toks[act_at]
        if _ACTS & (self._concepts(act.word, act.cyrillic) | phrases.get(act_at, frozenset())):
            units.append(_Unit(((tid, self._p.concept_factor),), scale=scale * self._p.who_did_factor, aspect=True))

    def _unit(self, token: Token, previous: str) -> tuple[_Unit | None, str, bool]:
        """One question word as a unit (or None for chatter), the word as understood, and
        whether it is a notable word the matcher did not understand."""
        word, cyrillic = token.word, token.cyrillic
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            return None, word, False
        if word.isdigit():
            # A number the claim base has ("70 attackers") helps; another ("9/11") is not understood.
            tids = self._known(word, False)
            if tids:
                return _Unit(tuple((t, 1.0) for t in tids)), word, False
            return _Unit((), foreign=True, against=self._p.number_against, name=True), word, True
        if word == "us" and previous in _PRONOUN_BEFORE_US:
            return None, word, False
        concepts = self._concepts(word, cyrillic)
        rank = self._rank(word)
        if rank < self._p.everyday and not concepts:
            return None, word, False  # "made", "take", "year": too common to tell topics apart
        off_topic = any(self.lexicon.is_off_topic(c) for c in concepts)
        # An off-topic word meets a topic only as itself, not through a shared stem:
        # "founded" (history) is not "found" (what investigators found).
        tids = self._known(word, cyrillic) if not off_topic or word in self._word_count else ()
        if not tids and cyrillic:
            # Russian and Ukrainian inflect names: "белгородскую" is about "belgorod".
            root = self._known_by_root(word)
            if root is not None:
                tids, word = self._known(root, False), root
        if not tids and rank >= self._p.rare and not cyrillic:
            # Only rare words are typo candidates: "latest" is a word, not a typo of "largest".
            if (parts := self._split_compound(word)) is not None:
                tids = tuple(dict.fromkeys(t for part in parts for t in self._known(part, False)))
            elif (fixed := self._correct(word)) is not None:
                tids, word = self._known(fixed, False), fixed
                concepts = concepts | self._concepts(fixed)
            elif (parts := self._split_compound(word, fuzzy=True)) is not None:
                tids = tuple(dict.fromkeys(t for part in parts for t in self._known(part, False)))
            elif self._is_typo_of_chatter(word):
                return None, word, False
        if tids:
            concept_tids = {self._term_id.get("c:" + c) for c in concepts}
            terms = tuple((tid, self._p.concept_factor if tid in concept_tids else 1.0) for tid in tids)
            aspect = any(not self.lexicon.is_entity(c) and not self.lexicon.is_off_topic(c) for c in concepts)
            entity = any(self.lexicon.is_entity(c) for c in concepts)
            names_event = any(tid in self._title_words for tid in tids)
            subject = entity or (not aspect and (rank >= self._p.subject_rank or cyrillic or names_event))
            return _Unit(terms, subject=subject, aspect=aspect), word, False
        # A word the claim base does not know. Everyday chatter ("wondering") is neutral;
        # a rarer word ("stalingrad", "titanic") or a word the lexicon knows as meaningful
        # but no topic has ("founded") is evidence against every topic.
        if cyrillic and not concepts:
            # Our Russian/Ukrainian word lists are short and miss inflected forms: an
            # unknown Cyrillic word is weak evidence, not a rare name.
            against = 0.0 if rank < self._p.chatter_rank else self._p.cyrillic_against
        else:
            against = self._p.rare_against if rank >= self._p.rare or concepts else _against(rank, self._p)
        notable = rank >= self._p.notable or bool(concepts)
        if against > 0:
            return (_Unit((), foreign=True, against=against, name=rank >= self._p.name and not concepts,
                          meaningful=bool(concepts)), word, notable)
        return None, word, notable

    # --- matching ---------------------------------------------------------------

    @_locked
    def match(self, question: str, *, event_id: str | None = None, limit: int = 3) -> MatchResult:
        if not self._docs:
            return MatchResult("none", (), 0.0)
        p = self._p
        q = self._question(question)
        total = sum(u.weight for u in q.units)
        known = [u for u in q.units if not u.foreign]
        if total <= 0 or not known:
            return MatchResult("none", (), 0.0)

        # Coverage of every topic at once: numpy over the postings of the question's terms.
        n = len(self._slot_topic)
        gained = np.zeros(n, dtype=np.float32)
        scratch = np.zeros(n, dtype=np.float32)
        for unit in known:
            if len(unit.terms) == 1:
                tid, factor = unit.terms[0]
                posting = self._postings[tid]
                slots = np.frombuffer(posting.slots, dtype=np.int32)
                gained[slots] += np.frombuffer(posting.weights, dtype=np.float32) * (unit.weight * factor)
                continue
            scratch.fill(0.0)
            for tid, factor in unit.terms:
                posting = self._postings[tid]
                slots = np.frombuffer(posting.slots, dtype=np.int32)
                values = np.frombuffer(posting.weights, dtype=np.float32) * factor
                scratch[slots] = np.maximum(scratch[slots], values)
            gained += scratch * unit.weight
        gained *= self._alive[:n]
        candidates = self._candidates(gained, event_id, max(self._p.rescore, limit))
        if not candidates:
            return MatchResult("none", (), 0.0)

        scored = [self._rescore(slot, float(gained[slot]) / total, q, event_id) for slot in candidates]
        scored.sort(key=lambda s: s.score, reverse=True)
        scored, tie_broken = self._break_ties(scored, event_id)
        best = scored[0]
        best_event = self._event_of[best.slot]
        same_event = [s for s in scored[1:] if self._event_of[s.slot] == best_event]
        # The margin is to the best sibling topic of the same event: near-equal topics of
        # other events were already settled by the tie rule above.
        margin = best.score - (same_event[0].score if same_event else 0.0)
        # Without a subject (no event, place or party named) and without the channel's
        # event, the question is only answerable when it is fully understood: "how many
        # died?" yes (the most recent event), "who blew up the death star?" no.
        guessing = event_id is None and (tie_broken or not q.has_subject) and (q.unexplained > 0 or not q.is_question)
        if not best.subjects and any(u.name for u in q.units):
            # The question names something the claim base does not have, and nothing it has:
            # "how many died at Stalingrad" is about another battle, not a near miss of ours.
            decision: Literal["answer", "suggest", "none"] = "none"
        elif ((best.coverage >= p.answer_coverage
               or (best.coverage >= p.clear_coverage and margin >= p.clear_margin and not q.objection))
                and best.evidence >= p.answer_evidence and margin >= p.answer_margin
                and best.strong >= p.strong_evidence and best.concept_fit and not guessing and not q.definition
                and self._event_fits_subjects(q, best) and self._event_fits_dates(question, best)):
            decision = "answer"
        elif (best.coverage >= p.suggest_coverage and best.evidence >= p.suggest_evidence
              and best.anchored >= p.strong_evidence):
            decision = "suggest"
        else:
            decision = "none"
        # Scores on one scale: an answer's above 0.6, a suggestion's 0.3–0.6, below 0.3
        # nothing fits — the raw score places a topic within its decision's band.
        low, high = {"answer": p.answer_band, "suggest": p.suggest_band, "none": p.none_band}[decision]
        candidates_out = tuple(
            Candidate(self._slot_topic[s.slot] or "", self._docs[self._slot_topic[s.slot] or ""].event_id,
                      round(low + (high - low) * min(1.0, max(0.0, s.score)), 4))
            for s in scored[:limit]
        )
        return MatchResult(decision, candidates_out, candidates_out[0].score if candidates_out else 0.0)

    def _event_fits_dates(self, question: str, best: _Scored) -> bool:
        """No answer from an event of another year or month than the question names."""
        ordinal = int(self._date_of[best.slot])
        if not ordinal:
            return True
        years, months = named_dates(question)
        when = date.fromordinal(ordinal)
        return (not years or when.year in years) and (not months or when.month in months)

    def _event_fits_subjects(self, q: _Question, best: _Scored) -> bool:
        """A question that names something (a place, a person, a party) is answered only
        from an event where it appears: "killed in the Belgorod shelling" is never the
        Kakhovka death toll, however alike the rest of the words are. The topic itself need
        not name it ("pilots killed during Prigozhin's march": the Wagner mutiny's)."""
        if best.subjects or not q.has_subject:
            return True
        event = self._event_of[best.slot]
        n = len(self._slot_topic)
        for unit in q.units:
            if not unit.subject or unit.foreign:
                continue
            for tid, _ in unit.terms:
                slots = np.frombuffer(self._postings[tid].slots, dtype=np.int32)
                if np.any((self._event_of[:n][slots] == event) & (self._alive[:n][slots] > 0)):
                    return True
        return False

    def _candidates(self, gained: np.ndarray, event_id: str | None, k: int) -> list[int]:
        """The best slots by coverage, plus the most recent of the near-equal ones (for the
        recency rule) and the best of the context event's."""
        positive = int(np.count_nonzero(gained))
        if positive == 0:
            return []
        k = min(k, positive)
        top = np.argpartition(-gained, k - 1)[:k] if k < len(gained) else np.arange(len(gained))
        chosen = {int(s) for s in top if gained[s] > 0}
        best = float(gained.max())
        # Near-equal by coverage (in idf units: TIE of the best's share), across events.
        near = np.nonzero(gained >= best * (1 - 2 * self._p.tie))[0]
        recent = self._p.recent
        if len(near) > len(chosen):
            dates = self._date_of[near]
            pick = near[np.argpartition(-dates, min(recent, len(near)) - 1)[:recent]] if len(near) > recent else near
            chosen.update(int(s) for s in pick)
        if event_id is not None and event_id in self._event_ids:
            own = np.nonzero((self._event_of[: len(gained)] == self._event_ids[event_id]) & (gained > 0))[0]
            if len(own):
                chosen.update(int(s) for s in own[np.argsort(-gained[own])[:recent]])
        return list(chosen)

    def _rescore(self, slot: int, coverage: float, q: _Question, event_id: str | None) -> _Scored:
        tids = self._slot_terms[slot]
        weights = self._slot_weights[slot]
        assert tids is not None and weights is not None
        has = dict(zip(tids, weights, strict=True))
        p = self._p
        strong_field = p.strong_field
        s = _Scored(slot, coverage)
        event_terms = self._event_terms.get(int(self._event_of[slot]), frozenset())
        subjects: set[int] = set()
        for index, unit in enumerate(q.units):
            if unit.foreign:
                continue
            if any(tid in has for tid, _ in unit.terms):
                if unit.subject:
                    subjects.add(index)
                # The concept fits when something other than the event's own name matches:
                # "how many live in belgorod" names the event and nothing the topic is about.
                if not unit.subject or not any(tid in event_terms for tid, _ in unit.terms):
                    s.concept_fit = True
            value = strong = anchor = 0.0
            for tid, factor in unit.terms:
                weight = has.get(tid)
                if weight is None:
                    continue
                v = unit.weight * weight * factor
                value = max(value, v)
                # (weights are float32: compare with some slack)
                if factor != 1.0 or weight > strong_field + 1e-3:
                    strong = max(strong, v)
                if factor != 1.0 or weight > strong_field - 1e-3:
                    anchor = max(anchor, v)
            s.evidence += value
            s.strong += strong
            s.anchored += anchor
        s.subjects = frozenset(subjects)
        topic_id = self._slot_topic[slot]
        assert topic_id is not None
        info = self._info[topic_id]
        fuzzy = 0.0
        if q.content:
            # token_set: the question's words are in the title; token_sort: and little else is
            # ("belgorod attackers" is "who were the attackers", not "do the attackers have links to …").
            fuzzy = max((fuzz.token_set_ratio(q.content, name) + fuzz.token_sort_ratio(q.content, name)
                         for name in info.names), default=0.0) / 200
        score = p.coverage_share * coverage + p.fuzzy_share * fuzzy * min(1.0, coverage / p.fuzzy_full_coverage)
        # Titles are questions too: "who …?" asks for the responsibility topic of an event,
        # "how many …?" for its figures, "why …?" for its reasons.
        if info.title_type is not None and q.types:
            if info.title_type in q.types:
                score += p.type_bonus if info.title_type != "yesno" else p.yesno_bonus
            elif info.title_type in _CONFLICTING and q.types <= _CONFLICTING:
                score -= p.type_penalty
        if event_id is not None and self._docs[topic_id].event_id != event_id:
            score *= p.other_event_factor
        s.score = score
        return s

    def _break_ties(self, scored: list[_Scored], event_id: str | None) -> tuple[list[_Scored], bool]:
        """Near-equal topics from different events: the context's event, else the most recent,
        first — and the others' near-equal topics right after it, as suggestions."""
        best = scored[0].score
        # Only topics that match the same subjects are tied: "evacuated near the border"
        # is about the event with a border, however recent the other one is.
        tied = [s for s in scored if best - s.score <= self._p.tie and s.subjects == scored[0].subjects]
        if len({int(self._event_of[s.slot]) for s in tied}) < 2:
            return scored, False
        context = self._event_ids.get(event_id) if event_id is not None else None

        def rank(s: _Scored) -> tuple[int, int, float]:
            return (int(self._event_of[s.slot] == context), int(self._date_of[s.slot]), s.score)

        tied.sort(key=rank, reverse=True)
        winner = tied[0]
        winner_event = self._event_of[winner.slot]
        others = [s for s in tied[1:] if self._event_of[s.slot] != winner_event]
        rest = [s for s in scored if s is not winner and s not in others]
        return [winner, *others, *rest], True

    # --- autocomplete -----------------------------------------------------------

    def _labels(self) -> dict[str, set[str]]:
        if self._label_index is None:
            self._label_index = {}
            self._label_buckets = {}
            for topic_id, info in self._info.items():
                for word in set(info.label.split()):
                    self._label_add(word, topic_id, bulk=True)
            self._label_words = sorted(self._label_index)
        return self._label_index

    def _label_add(self, word: str, topic_id: str, bulk: bool = False) -> None:
        assert self._label_index is not None
        ids = self._label_index.get(word)
        if ids is None:
            ids = self._label_index[word] = set()
            if not bulk:
                bisect.insort(self._label_words, word)
            if len(word) >= 3:
                key = phonetic(word)
                self._label_buckets.setdefault(self._bucket(key), {})[word] = key
        ids.add(topic_id)

    def _label_remove(self, word: str, topic_id: str) -> None:
        assert self._label_index is not None
        ids = self._label_index.get(word)
        if ids is None:
            return
        ids.discard(topic_id)
        if not ids:
            del self._label_index[word]
            i = bisect.bisect_left(self._label_words, word)
            if i < len(self._label_words) and self._label_words[i] == word:
                del self._label_words[i]
            self._label_buckets.get(self._bucket(phonetic(word)), {}).pop(word, None)

    def _label_matches(self, word: str, prefix: bool) -> dict[str, float]:
        """Label words that fit a typed word: exactly, as a prefix (the word being typed), or fuzzily."""
        found: dict[str, float] = {}
        assert self._label_index is not None
        if word in self._label_index:
            found[word] = 1.0
        if prefix:
            i = bisect.bisect_left(self._label_words, word)
            for known in self._label_words[i: i + 200]:
                if not known.startswith(word):
                    break
                found.setdefault(known, self._p.prefix_quality)
        if len(word) >= 4 and len(found) < 3:
            key = phonetic(word)
            for length in range(len(key) - 2, len(key) + 3):
                bucket = self._label_buckets.get((key[0], length))
                if bucket:
                    for _, score, choice in process.extract(key, bucket, scorer=fuzz.ratio,
                                                            score_cutoff=self._p.label_cutoff, limit=5):
                        found.setdefault(choice, self._p.fuzzy_quality * score / 100)
        return found

    @_locked
    def complete(self, text: str, *, limit: int = 25) -> list[str]:
        """Topic ids for an autocomplete box: fuzzy over titles and aliases, prefix-friendly;
        an empty text gives the most recent events' topics."""
        if limit <= 0:
            return []
        query = normalise(text)
        if not query:
            if self._recent is None:
                self._recent = [d.topic_id for d in sorted(self._docs.values(),
                                                           key=lambda d: d.event_date or date.min, reverse=True)]
            return self._recent[:limit]
        labels = self._labels()
        typed = query.split()
        n_topics = max(1, len(self._docs))
        score: dict[str, float] = {}
        for i, word in enumerate(typed):
            last = i == len(typed) - 1 and not text.endswith(" ")
            for known, quality in self._label_matches(word, prefix=last or len(word) <= 3).items():
                ids = labels[known]
                weight = quality * math.log(1 + n_topics / len(ids))
                for topic_id in ids:
                    score[topic_id] = score.get(topic_id, 0.0) + weight
        if not score:
            return []
        # Re-rank the best by how the whole text reads against the label.
        pool = sorted(score, key=score.__getitem__, reverse=True)[: max(limit * 2, 50)]
        top = max(score[t] for t in pool)
        likeness = self._p.label_likeness
        ranked = sorted(
            pool,
            key=lambda t: (score[t] / top + fuzz.partial_ratio(query, self._info[t].label) / 100 * likeness),
            reverse=True,
        )
        return ranked[:limit]
