"""Lexical + semantic evidence, fused into one calibrated probability per candidate topic.

For a question, the candidates are the best few of each signal. Each candidate is described
by a handful of features (`FEATURES`): where the lexical matcher ranks it and what it
decided, its cosine similarity to the question and how far that is from the best, whether
both signals agree, what of the question the claim base does not know (names of other
places and people), and how far the question is from English (a question in another
language is unknown to the lexical signal for another reason than being off-topic). A
conditional logit (`parameters.FITTED`, fitted by `benchmarks/fit_fusion.py` with claim
bases left out in turn) scores every candidate, and the candidates compete with one
another and with "none of them": P(candidate i) = exp(zᵢ) / (1 + Σⱼ exp(zⱼ)). Two strong
candidates share the probability, so neither is answered with the confidence one of them
alone would get — which is what a question that fits two topics is. An isotonic map
fitted on the left-out bases turns the best candidate's probability into the reported
confidence, and two thresholds on it decide: answer, "did you mean", or nothing.

A channel's event context reaches the fusion through the lexical features (the lexical
matcher prefers the context's topics); the semantic similarity does not depend on it.
Without a semantic model the lexical matcher decides alone, as it always has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from .lexicon import Lexicon
from .matcher import Matcher, _locked
from .parameters import FITTED, FusionParameters
from .semantic import Embedder, SemanticIndex, Similarities, warn_once
from .types import Candidate, MatchResult, TopicDocument

FEATURES: tuple[str, ...] = (
    "lex_score",  # the lexical matcher's score for the topic (0 when not among its candidates)
    "lex_rr",  # 1 / (1 + its lexical rank)
    "lex_top_answer",  # the lexical matcher would answer with this topic
    "lex_top_suggest",  # … or offer it first as "did you mean"
    "sem",  # cosine similarity of question and topic
    "sem_gap",  # minus how far below the best topic's similarity it is
    # (Not how far above the base's other topics it is: that depends on the base's size and
    # spread, and dropping it did better with each calibration base left out.)
    "sem_margin",  # for the semantically best topic: its lead over the second
    "sem_rr",  # 1 / (1 + its semantic rank)
    # The same of the topic's closest phrasing (title, an alias, a translation), each its own
    # vector: a question is most like another way of asking it.
    "phr",  # cosine similarity of question and the topic's closest phrasing
    "phr_gap",  # minus how far below the best topic's phrasing similarity it is
    "phr_margin",  # for the topic with the closest phrasing: its lead over the next topic's
    "phr_rr",  # 1 / (1 + its rank by phrasing similarity)
    "agree",  # both signals put it first
    "agree_answer",  # … and the lexical matcher would answer with it (right ~97% of the time on every calibration base)
    "agree_margin",  # … and the semantic lead over the second topic
    "agree_answer_margin",  # … both
    "silent_margin",  # the semantic lead when the lexical signal found nothing (another script or language) …
    "silent_rr",  # … and the semantic rank then
    "silent_phr_margin",  # … and the phrasing lead then
    # Of the question, the same for every candidate:
    "lex_none",  # the lexical matcher had candidates and rejected them all
    "unknown",  # share of the question's words the claim base does not know, rarer words counting more
    "names",  # rare words (names, places) that no topic has: "the *Rwandan* genocide"
    "other_names",  # capitalised common words no topic has, mid-sentence: "famine in *Gaza*", "sirens in *Japan*"
    # A question in another language: its words are unknown to the base for another reason
    # than being about something else, and only the semantic signal can read it.
    "non_english",  # share of the question's words that no English word list has (names count too)
    "non_english_margin",  # … times the semantic lead of the semantically best topic
    "non_english_phr_margin",  # … times the phrasing lead of the topic with the closest phrasing
    "non_english_gap",  # … times how far below the best topic's similarity this one's is
    # What of the question this candidate's own text (its claims, parties, event) lacks: the
    # same kind of question about another place or year ("the *2019* fuel protests", "was
    # the *US* election rigged" against a topic about another country's election).
    "missing_years",  # years the question names that the topic's text and event date do not
    "missing_names",  # capitalised words (in a question that reads as English) its text does not have
    # Its claims, each its own vector: a question often asks about what one party says.
    "clm",  # cosine similarity of question and the topic's closest claim
    "clm_gap",  # minus how far below the best candidate's it is
    "clm_margin",  # for the candidate with the closest claim: its lead over the next candidate's
    "clm_rr",  # 1 / (1 + its rank among the candidates by closest claim)
)

# (the last of FEATURES: read from the candidate's own text, after the candidates are known)
CANDIDATE_TEXT_FEATURES = FEATURES[FEATURES.index("missing_years"):]

# A capitalised word that is not the first of its sentence: in English, a name.
_CAPITALISED = re.compile(r"(?<![.!?:]\s)(?<!^)\b([A-Z][a-z]{2,})\b")
_WORD = re.compile(r"[^\W\d_]+")
# … and for what a candidate's text lacks, acronyms too ("US", "UAE", "PG&E")
_NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b([A-Z][A-Za-z&]+|[A-Z]{2,})\b")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
TERMS_CACHE = 4096  # candidates' words and years kept between questions (a topic's are re-read when it changes)


def _top(values: npt.NDArray[np.float32], live: npt.NDArray[np.intp], topic_of: Sequence[str | None],
         pool: int) -> tuple[dict[str, int], float, float]:
    """The best `pool` live topics by one similarity: their ranks, the best and the second value."""
    k = min(pool, len(live))
    if not k:
        return {}, 0.0, 0.0
    top = live[np.argpartition(-values[live], k - 1)[:k]] if k < len(live) else live
    top = top[np.argsort(-values[top], kind="stable")]
    ranks = {topic: rank for rank, row in enumerate(top.tolist()) if (topic := topic_of[row]) is not None}
    best = float(values[top[0]])
    return ranks, best, float(values[top[1]]) if len(top) > 1 else best


def candidate_features(
    lexical: MatchResult, sims: Similarities, topic_of: Sequence[str | None], row_of: dict[str, int], pool: int,
    unknown: float, names: int, other_names: int, non_english: float,
) -> tuple[list[str], npt.NDArray[np.float64]]:
    """The candidates of both signals and their features (one row each, in `FEATURES` order,
    but for the `CANDIDATE_TEXT_FEATURES` that `HybridMatcher.features` adds)."""
    lex_rank = {c.topic_id: i for i, c in enumerate(lexical.candidates)}
    lex_score = {c.topic_id: c.score for c in lexical.candidates}
    live = np.flatnonzero(sims.alive)
    sem_rank, best, second = _top(sims.passage, live, topic_of, pool)
    phr_rank, phr_best, phr_second = _top(sims.phrasing, live, topic_of, pool)
    # The candidates: the best few of the lexical matcher, of the passages and of the phrasings.
    ids = list(dict.fromkeys([*(c.topic_id for c in lexical.candidates[:pool]), *sem_rank, *phr_rank]))
    silent = float(not lexical.candidates)
    rows = []
    for topic in ids:
        row = row_of.get(topic)
        known = row is not None and row < len(sims.passage)
        s = float(sims.passage[row]) if known else 0.0
        ph = float(sims.phrasing[row]) if known else -1.0
        lr, sr, pr = lex_rank.get(topic), sem_rank.get(topic), phr_rank.get(topic)
        agree = float(lr == 0 and sr == 0)
        answer = float(lr == 0 and lexical.decision == "answer")
        margin = best - second if sr == 0 else 0.0
        phr_margin = phr_best - phr_second if pr == 0 else 0.0
        rows.append((
            lex_score.get(topic, 0.0),
            1.0 / (1 + lr) if lr is not None else 0.0,
            answer,
            float(lr == 0 and lexical.decision == "suggest"),
            s,
            s - best,
            margin,
            1.0 / (1 + sr) if sr is not None else 0.0,
            ph,
            ph - phr_best,
            phr_margin,
            1.0 / (1 + pr) if pr is not None else 0.0,
            agree,
            agree * answer,
            agree * margin,
            agree * answer * margin,
            silent * margin,
            silent / (1 + sr) if sr is not None else 0.0,
            silent * phr_margin,
            float(bool(lexical.candidates) and lexical.decision == "none"),
            unknown,
            float(min(names, 3)),
            float(min(other_names, 3)),
            non_english,
            non_english * margin,
            non_english * phr_margin,
            non_english * (s - best),
        ))
    return ids, np.asarray(rows, dtype=np.float64).reshape(len(ids), len(FEATURES) - len(CANDIDATE_TEXT_FEATURES))


def claim_columns(clm: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """`clm`, `clm_gap`, `clm_margin`, `clm_rr` of the candidates from their closest-claim similarities."""
    if not len(clm):
        return np.zeros((0, 4), dtype=np.float64)
    order = np.argsort(-clm, kind="stable")
    rank = np.empty(len(clm), dtype=np.float64)
    rank[order] = np.arange(len(clm))
    best = float(clm[order[0]])
    second = float(clm[order[1]]) if len(clm) > 1 else best
    return np.column_stack([clm, clm - best, np.where(rank == 0, best - second, 0.0), 1.0 / (1.0 + rank)])


def choice_probabilities(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """exp(zᵢ) / (1 + Σⱼ exp(zⱼ)): the candidates and "none of them" (utility 0) compete."""
    if not len(z):
        return np.zeros(0, dtype=np.float64)
    top = max(0.0, float(z.max()))  # (shifted: no overflow)
    e = np.exp(z - top)
    return np.asarray(e / (np.exp(-top) + e.sum()), dtype=np.float64)


def probabilities(x: npt.NDArray[np.float64], params: FusionParameters) -> npt.NDArray[np.float64]:
    """Each candidate's probability of being the question's topic, on the calibrated scale."""
    raw = choice_probabilities(x @ np.asarray(params.weights, dtype=np.float64) + params.bias)
    knots = params.calibration
    return np.interp(raw, [k[0] for k in knots], [k[1] for k in knots])


def decide(p_best: float, params: FusionParameters) -> Literal["answer", "suggest", "none"]:
    if p_best >= params.answer:
        return "answer"
    if p_best >= params.suggest:
        return "suggest"
    return "none"


class HybridMatcher(Matcher):
    """The lexical matcher plus a semantic index, fused. With `embedder=None`, just the lexical one."""

    def __init__(self, lexicon: Lexicon | None = None, embedder: Embedder | None = None,
                 params: FusionParameters = FITTED) -> None:
        self.semantic = SemanticIndex(embedder) if embedder is not None else None
        self._terms_cache: dict[str, tuple[TopicDocument, frozenset[str], frozenset[str]]] = {}
        self.params = params
        if embedder is not None and embedder.identity != params.model:
            # Another model's similarities sit on another scale: the fitted numbers may not fit it.
            warn_once(f"params:{embedder.identity}",
                      f"the fused matcher's parameters were fitted for {params.model!r}, not "
                      f"{embedder.identity!r}: its confidence may be miscalibrated; refit them with "
                      "`python benchmarks/fit_fusion.py`")
        super().__init__(lexicon)

    @_locked
    def build(self, docs: Iterable[TopicDocument]) -> None:
        docs = list({d.topic_id: d for d in docs}.values())
        super().build(docs)
        if self.semantic is not None:
            self.semantic.build(docs)

    @_locked
    def upsert(self, doc: TopicDocument) -> None:
        super().upsert(doc)
        if self.semantic is not None:
            self.semantic.upsert(doc)

    @_locked
    def remove(self, topic_id: str) -> None:
        super().remove(topic_id)
        if self.semantic is not None:
            self.semantic.remove(topic_id)

    @_locked
    def features(self, question: str, *, event_id: str | None = None) -> tuple[list[str], npt.NDArray[np.float64]]:
        """The fused candidates of a question and their features (what `match` decides from)."""
        assert self.semantic is not None
        lexical = super().match(question, event_id=event_id, limit=self.params.pool)
        sims = self.semantic.similarities(question)
        q = self._question(question)
        total = sum(u.weight for u in q.units)
        unknown = sum(u.weight for u in q.units if u.foreign) / total if total > 0 else 1.0
        names = sum(1 for u in q.units if u.name)
        words = _WORD.findall(question)  # (as written: capitals are read, and the lists are lower-case)
        english = self._reads_as_english(words)
        ids, x = candidate_features(lexical, sims, self.semantic.topic_of, self.semantic.row_of,
                                    self.params.pool, unknown, names, self._other_names(question) if english else 0,
                                    self._non_english(words))
        docs = [self._docs.get(t) for t in ids]
        known = [d for d in docs if d is not None]
        by_claim = dict(zip((d.topic_id for d in known),
                            self.semantic.claim_similarities(sims.question, known).tolist(), strict=True))
        clm = np.array([by_claim.get(t, 0.0) for t in ids], dtype=np.float64)
        missing = np.array([self._missing(question, d, english) for d in docs], dtype=np.float64).reshape(len(ids), 2)
        return ids, np.hstack([x, missing, claim_columns(clm)])

    def _reads_as_english(self, words: list[str]) -> bool:
        """Whether most of the question's lower-case words are everyday English ones: only then
        does a capital say "a name" (German capitalises every noun; a French question's words
        are all unknown to the English lists)."""
        lower = [w for w in words if w.islower()]
        return bool(lower) and sum(self._rank(w) < self._p.chatter_rank for w in lower) * 2 >= len(lower)

    def _non_english(self, words: list[str]) -> float:
        """The share of the question's words that are in no English word list (any script;
        a name counts too): high for a question in another language, whatever its topic.

        (Fitted beside the semantic leads, it let the fusion trust e5 more for such a
        question: on the calibration bases, left out in turn, questions in other languages
        answered right went from 58.9 to 70.3%.)"""
        if not words:
            return 0.0
        return sum(self._rank(w.lower()) >= self._p.rare for w in words) / len(words)

    def _terms(self, doc: TopicDocument) -> tuple[frozenset[str], frozenset[str]]:
        """The years and the words of a topic's own text (its event, claims, parties, phrasings)."""
        cached = self._terms_cache.get(doc.topic_id)
        if cached is not None and cached[0] is doc:
            return cached[1], cached[2]
        text = " ".join([doc.title, doc.event_title, *doc.event_terms, *doc.claims, *doc.parties, *doc.aliases,
                         *(t for _, texts in doc.translations for t in texts)])
        years = frozenset(_YEAR.findall(text)) | ({str(doc.event_date.year)} if doc.event_date else frozenset())
        words = frozenset(w.lower() for w in _WORD.findall(text))
        if len(self._terms_cache) >= TERMS_CACHE:
            self._terms_cache.clear()
        self._terms_cache[doc.topic_id] = (doc, years, words)
        return years, words

    def _missing(self, question: str, doc: TopicDocument | None, english: bool) -> tuple[float, float]:
        """`missing_years` and `missing_names` of one candidate (capped: a few say all there is)."""
        if doc is None:
            return 0.0, 0.0
        years, words = self._terms(doc)
        missing_years = len(set(_YEAR.findall(question)) - years)
        missing_names = 0
        for name in dict.fromkeys(m.group(1).lower() for m in _NAME.finditer(question)) if english else ():
            if name in words:
                continue
            # (misspelt or inflected: "Lahina", "Sudanese" for "Sudan")
            if len(name) > 3 and process.extractOne(name, words, scorer=fuzz.ratio, score_cutoff=85):
                continue
            if len(name) > 4 and any(w.startswith(name[:5]) for w in words):
                continue
            missing_names += 1
        return float(min(missing_years, 2)), float(min(missing_names, 3))

    def _other_names(self, question: str) -> int:
        """Capitalised words the claim base does not have (exactly, misspelt, or inflected) that
        are not rare (rare ones count in "names"): a place or a person of another story.

        (Counted only in a question that reads as English: see `_reads_as_english`.)"""
        count = 0
        for word in dict.fromkeys(m.group(1).lower() for m in _CAPITALISED.finditer(question)):
            if self._rank(word) >= self._p.rare or self._word_count.get(word, 0) > 0:
                continue
            corrected = self._correct(word) or self._known_by_root(word)
            if corrected is None or self._word_count.get(corrected, 0) == 0:
                count += 1
        return count

    @_locked
    def match(self, question: str, *, event_id: str | None = None, limit: int = 3) -> MatchResult:
        # (any script: normalise() keeps Latin and transliterated Cyrillic only, and an Arabic
        # question is exactly one the semantic signal can read)
        if self.semantic is None or not len(self.semantic) or not any(ch.isalnum() for ch in question):
            return super().match(question, event_id=event_id, limit=limit)
        ids, x = self.features(question, event_id=event_id)
        if not ids:
            return MatchResult("none", (), 0.0)
        p = probabilities(x, self.params)
        order = np.argsort(-p, kind="stable")
        docs = self._docs
        candidates = tuple(
            Candidate(ids[i], docs[ids[i]].event_id, round(float(p[i]), 4))
            for i in order[:limit].tolist() if ids[i] in docs
        )
        if not candidates:
            return MatchResult("none", (), 0.0)
        confidence = candidates[0].score
        decision = decide(confidence, self.params)
        return MatchResult(decision, candidates, confidence)

