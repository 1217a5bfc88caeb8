"""Scoring a matcher on a question set: shared by the benchmark and the accuracy tests."""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Question:
    q: str
    topic: str | None  # None: out of scope
    kind: str
    topic_any: tuple[str, ...] = ()
    lang: str | None = None  # ISO 639 code of a question not in English

    def accepts(self, topic_id: str | None) -> bool:
        return topic_id is not None and (topic_id == self.topic or topic_id in self.topic_any)


def load_questions(path: Path) -> list[Question]:
    questions = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            questions.append(Question(row["q"], row.get("topic"), row.get("kind", "unknown"),
                                      tuple(row.get("topic_any") or ()), row.get("lang")))
        except (json.JSONDecodeError, KeyError) as exc:
            raise SystemExit(f"{path}:{n}: not a question line ({exc})") from None
    return questions


@dataclass(frozen=True)
class Outcome:
    answered: bool  # the method would show an answer (not "did you mean", not "nothing")
    ranked: tuple[str, ...]  # its best topics, best first
    score: float = 0.0  # the method's own score for its best topic (for threshold sweeps)


Ask = Callable[[str], Outcome]


@dataclass
class Report:
    top1: float
    top3: float
    oos_false_answer_rate: float
    per_kind: dict[str, float]
    latency_ms: dict[str, float]
    failures: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # (q, expected, got)
    threshold: float | None = None
    ranked_top1: float = 0.0  # in scope: the right topic ranked first, whatever was decided
    wrong_rate: float = 0.0  # answers with a wrong topic (in scope or out of scope), % of all questions
    per_lang: dict[str, float] = field(default_factory=dict)  # answered right, per language of non-English questions
    reliability: list[tuple[float, float, int, float]] = field(default_factory=list)  # (low, high, n, % right first)

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "top1": self.top1, "top3": self.top3, "oos_false_answer_rate": self.oos_false_answer_rate,
            "per_kind": self.per_kind, "latency_ms": self.latency_ms,
        }
        out.update({"ranked_top1": self.ranked_top1, "wrong_rate": self.wrong_rate, "per_lang": self.per_lang,
                    "reliability": [list(r) for r in self.reliability]})
        if self.threshold is not None:
            out["threshold"] = self.threshold
        return out


def run(ask: Ask, questions: Sequence[Question]) -> tuple[list[Outcome], list[float]]:
    outcomes, latencies = [], []
    for question in questions:
        start = time.perf_counter()
        outcomes.append(ask(question.q))
        latencies.append((time.perf_counter() - start) * 1000)
    return outcomes, latencies


def latency_summary(latencies: Sequence[float]) -> dict[str, float]:
    """Mean and 99th percentile, in ms."""
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))] if ordered else 0.0
    return {"mean": round(statistics.fmean(latencies), 3) if latencies else 0.0, "p99": round(p99, 3)}


def score(questions: Sequence[Question], outcomes: Sequence[Outcome], latencies: Sequence[float],
          threshold: float | None = None) -> Report:
    """In-scope top-1: answered with an acceptable topic. OOS false answer: answered at all."""
    hits: dict[str, list[bool]] = defaultdict(list)
    langs: dict[str, list[bool]] = defaultdict(list)
    top3 = []
    first = []
    oos = []
    wrong = []
    failures = []
    for question, outcome in zip(questions, outcomes, strict=True):
        answered = outcome.answered if threshold is None else outcome.score >= threshold
        got = outcome.ranked[0] if answered and outcome.ranked else None
        wrong.append(answered and not question.accepts(got))
        if question.topic is None:
            oos.append(answered)
            if answered:
                failures.append((question.q, None, got))
            continue
        ok = question.accepts(got)
        hits[question.kind].append(ok)
        if question.lang:
            langs[question.lang].append(ok)
        first.append(bool(outcome.ranked) and question.accepts(outcome.ranked[0]))
        top3.append(any(question.accepts(t) for t in outcome.ranked[:3]))
        if not ok:
            failures.append((question.q, question.topic, got))
    in_scope = [h for kind in hits.values() for h in kind]
    return Report(
        top1=_pct(in_scope), top3=_pct(top3), oos_false_answer_rate=_pct(oos),
        per_kind={kind: _pct(values) for kind, values in sorted(hits.items())},
        latency_ms=latency_summary(latencies),
        failures=failures, threshold=threshold,
        ranked_top1=_pct(first), wrong_rate=_pct(wrong),
        per_lang={lang: _pct(values) for lang, values in sorted(langs.items())},
        reliability=reliability(questions, outcomes),
    )


def reliability(questions: Sequence[Question], outcomes: Sequence[Outcome],
                bins: int = 10) -> list[tuple[float, float, int, float]]:
    """Reported confidence against how often the first topic is right (out-of-scope: never),
    per band of confidence: a calibrated confidence of 0.8 is right about 80% of the time."""
    table: list[tuple[float, float, int, float]] = []
    for i in range(bins):
        low, high = i / bins, (i + 1) / bins
        inside = [question.accepts(outcome.ranked[0] if outcome.ranked else None)
                  for question, outcome in zip(questions, outcomes, strict=True)
                  if low <= outcome.score < high or (i == bins - 1 and outcome.score >= 1.0)]
        if inside:
            table.append((low, high, len(inside), _pct(inside)))
    return table


def best_threshold(questions: Sequence[Question], outcomes: Sequence[Outcome], latencies: Sequence[float]) -> Report:
    """A baseline at its fairest: the threshold maximising (correct in-scope answers − OOS answers)."""
    candidates = sorted({o.score for o in outcomes} | {float("inf")})
    best: tuple[float, Report] | None = None
    for threshold in candidates:
        report = score(questions, outcomes, latencies, threshold)
        n_in = sum(1 for q in questions if q.topic is not None)
        n_oos = len(questions) - n_in
        value = report.top1 * n_in / 100 - report.oos_false_answer_rate * n_oos / 100
        if best is None or value > best[0]:
            best = (value, report)
    assert best is not None
    return best[1]


def _pct(values: Sequence[bool]) -> float:
    return round(100 * sum(values) / len(values), 1) if values else 0.0
