"""Accuracy floors on the development question set: a matching regression fails CI.

The floors are what the matcher reaches today, rounded down. Two are still short of the
matching issue's targets (top-1 92%, out-of-scope answers 3% at most), which stays open
until they are met; raise the floors with every improvement. Timings are measured
by a benchmark script, not here (shared machines make timed tests flaky).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from benchmarks.scoring import OUT_OF_SCOPE, Outcome, Report, load_questions, run, score
from knowledge.documents import topic_documents
from knowledge.knowledge_file import load_knowledge_file
from knowledge.matching import Matcher

HERE = Path(__file__).resolve().parent
CLAIMS = HERE / "devset.claims.yaml"
QUESTIONS = HERE / "devset.questions.jsonl"
TOP1_FLOOR = 90.0
KIND_FLOOR = 80.0
RU_UK_FLOOR = 70.0
OOS_CEILING = 4.0
KINDS = {"plain", "paraphrase", "synonym", "typo", "chatty", "short", "ambiguous", "ru_uk", OUT_OF_SCOPE}


@pytest.fixture(scope="module")
def report() -> Report:
    matcher = Matcher()
    matcher.build(topic_documents(load_knowledge_file(CLAIMS)))

    def ask(q: str) -> Outcome:
        result = matcher.match(q, limit=3)
        return Outcome(result.decision == "answer", tuple(c.topic_id for c in result.candidates), result.confidence)

    questions = load_questions(QUESTIONS)
    outcomes, latencies = run(ask, questions)
    return score(questions, outcomes, latencies)


def _failures(report: Report) -> str:
    return "\n".join(f"  {q!r}: expected {want}, got {got}" for q, want, got in report.failures)


def test_the_question_set_is_well_formed() -> None:
    kb = load_knowledge_file(CLAIMS)
    questions = load_questions(QUESTIONS)
    counts = Counter(q.kind for q in questions)
    assert len(questions) >= 250 and counts[OUT_OF_SCOPE] >= 50
    assert set(counts) == KINDS and min(counts.values()) >= 20
    for q in questions:
        assert (q.topic is None) == (q.kind == OUT_OF_SCOPE), q
        for topic in (q.topic, *q.topic_any):
            assert topic is None or topic in kb.topics, q
    assert len(kb.events) >= 8 and len(kb.topics) >= 30
    # Moderators will not always write aliases: most topics have none.
    assert sum(1 for t in kb.topics.values() if not t.aliases) / len(kb.topics) >= 0.7


def test_in_scope_top1(report: Report) -> None:
    assert report.top1 >= TOP1_FLOOR, f"top-1 {report.top1}%\n{_failures(report)}"


def test_every_kind(report: Report) -> None:
    floors = {kind: (RU_UK_FLOOR if kind == "ru_uk" else KIND_FLOOR) for kind in report.per_kind}
    low = {kind: pct for kind, pct in report.per_kind.items() if pct < floors[kind]}
    assert not low, f"below floor: {low}\n{_failures(report)}"


def test_the_right_topic_is_almost_always_offered(report: Report) -> None:
    # When the matcher is unsure it offers "did you mean" choices: the right one is there.
    assert report.top3 >= 97.0, _failures(report)


def test_out_of_scope_is_rarely_answered(report: Report) -> None:
    assert report.oos_false_answer_rate <= OOS_CEILING, f"{report.oos_false_answer_rate}%\n{_failures(report)}"
