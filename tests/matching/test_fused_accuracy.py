"""Accuracy floors of the fused matcher (what the bot runs) on the calibration split.

The calibration split is what the fused decision was fitted on (benchmarks/fit_fusion.py,
one claim base left out at a time): eight new-crisis bases from heldout/ (sudan-war,
maui-wildfire, and six written later by helpers that never saw the matcher), and the
development base with its three question files. These floors are today's figures rounded
down by about two questions; they catch a regression, they do not flatter: the figures
that count are the test splits' (nagorno-karabakh-2023, derna-floods; turkey-syria-earthquake,
niger-coup-2023), which no test reads — benchmarks/matching.py measures them.

The rule the decision was fitted to: wrong answers (the wrong topic's claims, or any answer
to an out-of-scope question) ≤ 2% of all questions; the right topic within the buttons.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.scoring import Outcome, Report, load_questions, run, score
from knowledge.documents import topic_documents
from knowledge.knowledge_file import load_knowledge_file
from knowledge.matching import Embedder, HybridMatcher

HERE = Path(__file__).resolve().parent
HELDOUT = HERE / "heldout"
WRONG_CEILING = 2.0

# claim base: (its question files, answered-right floor, top-3 floor). The rule holds per
# claim base, as it was fitted: the development base's three question files count together.
# (In-sample figures since the refit with how far the question is from English (2026-12-07):
# sudan-war 81.7, maui-wildfire 65.9, beirut 57.1, kenya 62.7, iran 64.3, bangladesh 62.7,
# tigray 70.6, myanmar 61.9, devset base 82.9. Before it: 80.2, 64.3, 61.1, 63.5, 61.1, 63.5,
# 72.2, 68.3, 80.3 — questions in other languages gained, and a few English questions on
# beirut and myanmar that the old fit answered are offered as buttons now.)
NEW_CRISES = {
    "sudan-war": 80.0, "maui-wildfire": 64.0, "beirut-port-explosion": 55.5, "kenya-finance-bill-protests": 61.0,
    "iran-amini-protests": 62.5, "bangladesh-2024-uprising": 61.0, "tigray-war": 69.0, "myanmar-coup-2021": 60.0,
}
SETS = {
    **{name: (HELDOUT / f"{name}.claims.yaml", (HELDOUT / f"{name}.questions.jsonl",), floor, 98.0)
       for name, floor in NEW_CRISES.items()},
    "devset": (HERE / "devset.claims.yaml", (HERE / "devset.questions.jsonl", HERE / "fresh1.questions.jsonl",
                                             HERE / "fresh2.questions.jsonl"), 81.0, 99.0),
}


def measure(embedder: Embedder, claims: Path, question_files: tuple[Path, ...]) -> Report:
    matcher = HybridMatcher(embedder=embedder)
    matcher.build(topic_documents(load_knowledge_file(claims)))

    def ask(q: str) -> Outcome:
        result = matcher.match(q, limit=3)
        return Outcome(result.decision == "answer", tuple(c.topic_id for c in result.candidates), result.confidence)

    questions = [q for path in question_files for q in load_questions(path)]
    outcomes, latencies = run(ask, questions)
    return score(questions, outcomes, latencies)


@pytest.mark.parametrize("name", sorted(SETS))
def test_the_fused_matcher_on_the_calibration_split(embedder: Embedder, name: str) -> None:
    claims, questions, answered_floor, top3_floor = SETS[name]
    report = measure(embedder, claims, questions)
    failures = "\n".join(f"  {q!r}: expected {want}, got {got}" for q, want, got in report.failures)
    assert report.wrong_rate <= WRONG_CEILING, f"{name}: wrong answers {report.wrong_rate}% of all\n{failures}"
    assert report.top1 >= answered_floor, f"{name}: answered right {report.top1}%\n{failures}"
    assert report.top3 >= top3_floor, f"{name}: right topic in the top 3 {report.top3}%\n{failures}"
