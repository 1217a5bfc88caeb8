"""Turning text into matchable terms: normalisation, transliteration, light stemming."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

# Cyrillic → Latin, close to how Russian and Ukrainian names are usually romanised,
# so "Белгород" and "belgorod" meet, and Russian questions meet Russian lexicon stems.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "ye", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
_TRANSLIT = str.maketrans(_CYRILLIC)
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")

# Words that carry no topic: question scaffolding and chat filler. Kept short on
# purpose — "who", "how many" and friends are handled by phrases in the lexicon.
STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for from with about into over than then so as is are was were be
    been being am do does did done doing have has had having can could would should will shall may might must
    i me my we our you your he him his she her it its they them their this that these those there here what
    which who whom whose when where why how many much any some all each every no not yes ok okay please pls
    thanks thank hi hey hello yo guys anyone someone somebody know knows tell explain question quick just really
    actually like lol wait so also still even ever get got there's what's who's how's it's i'm i've you're
    people ppl person thing things stuff right now one ones way up down out off onto
    v vo na i s so k ko po za iz u o ob ot do ne li chto kak eto byl byla byli bylo ya my vy on ona oni ikh
    yego yeye tam tut zhe by ili a no da net pro vid ta shcho yak tse buv bula buly z iz chy""".split()
)


def normalise(text: str) -> str:
    """Lower case, no accents, Cyrillic transliterated, punctuation as spaces."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_TRANSLIT).replace("’", "'")
    return " ".join(_WORD.findall(text))


def words(text: str) -> list[str]:
    return normalise(text).split()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer: enough to meet "attacks"/"attacked"/"attacking"."""
    if len(word) <= 4 or not word.isascii():
        return word
    for suffix, keep in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ers", "er"), ("ed", ""), ("es", ""), ("'s", ""),
                         ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                return word
            return word[: len(word) - len(suffix)] + keep
    return word


@lru_cache(maxsize=1)
def word_ranks() -> dict[str, int]:
    """Everyday words in the members' languages with their frequency rank (0 = most common);
    see scripts/make_common_words.py."""
    text = (DATA_DIR / "common_words.txt").read_text(encoding="utf-8")
    ranks: dict[str, int] = {}
    rank = 0
    for line in text.splitlines():
        if line.startswith("["):
            rank = 0  # each language's list starts again at the most common word
            continue
        if not line or line.startswith("#"):
            continue
        for word in words(line):
            ranks.setdefault(word, rank)
            ranks.setdefault(stem(word), rank)
        rank += 1
    return ranks
