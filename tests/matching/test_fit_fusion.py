"""How benchmarks/fit_fusion.py judges a threshold rule: on a base it did not see.

Plain numbers, no model: each calibration base gets questions with a confidence and
whether the first topic was right, so the thresholds each rule picks are known by hand.
"""

from __future__ import annotations

from benchmarks.fit_fusion import CALIBRATION, Scored, choose_thresholds, outcome, pooled_threshold, rule_left_out
from benchmarks.scoring import Question


def _base(name: str, wrong_at: float | None) -> list[Scored]:
    """100 questions answered right at 0.95, and (when `wrong_at`) 5 answered wrong at that confidence."""
    right = [Scored(name, Question(f"q{i}", "topic", "plain"), 0.95, True, True) for i in range(100)]
    wrong = [Scored(name, Question(f"w{i}", "other", "plain"), wrong_at, False, False)
             for i in range(5)] if wrong_at is not None else []
    return right + wrong


def _calibration(unlucky: str, wrong_at: float) -> list[Scored]:
    # Every base but one keeps its wrong answers below 0.6; `unlucky` has five at `wrong_at`.
    return [s for name in CALIBRATION for s in _base(name, wrong_at if name == unlucky else 0.55)]


def test_a_rule_is_judged_on_the_base_it_did_not_see() -> None:
    unlucky = list(CALIBRATION)[0]
    scored = _calibration(unlucky, wrong_at=0.9)
    # In sample, the per-base rule sees the unlucky base and climbs above its wrong answers …
    answer, _ = choose_thresholds(scored)
    assert answer > 0.9
    assert outcome([s for s in scored if s.base == unlucky], answer, 0.0)["wrong"] == 0.0
    # … but chosen without it (as a new community meets it), it stops below them: that base goes over.
    judged = rule_left_out(scored, lambda s: choose_thresholds(s)[0])
    assert "on 1 of 9 left-out bases" in judged
    assert unlucky in judged and "4.8%" in judged  # 5 of its 105 questions


def test_a_rule_that_holds_everywhere_says_how_close_it_came() -> None:
    scored = _calibration(list(CALIBRATION)[0], wrong_at=0.55)  # every base alike
    judged = rule_left_out(scored, pooled_threshold)
    assert "on 0 of 9 left-out bases (at most 0.0%)" in judged
    assert judged.startswith("answered right 95.2%")  # 100 of 105: the 5 below every threshold are not answered
