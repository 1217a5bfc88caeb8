"""Turning text into matchable words: normalisation, transliteration, light stemming."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Cyrillic → Latin, close to how Russian and Ukrainian names are usually romanised, so
# "Белгород" and "belgorod", "Бахмут" and "bakhmut" meet. One table for both languages:
# є and ї lose their leading "y" so that Ukrainian spellings of Russian names
# ("Бєлгород") still land next to the English one; fuzzy matching absorbs the rest
# ("Енергодар" → "energodar" ≈ "enerhodar").
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "e", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
_TRANSLIT = str.maketrans(_CYRILLIC)
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")  # "neo-nazis" is two words, "prigozhin's" one
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")

# Words that carry no topic: question scaffolding and chat filler, in English and in
# transliterated Russian/Ukrainian. Kept short on purpose: question *types* ("who",
# "how many") are read separately (see question_types), and domain words live in the
# lexicon.
STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for from with about into over than then so as is are was were be
    been being am do does did done doing have has had having can could would should will shall may might must
    i me my we our you your he him his she her it its they them their this that these those there here what
    which who whom whose when where why how many much any some all each every no not yes ok okay please pls
    thanks thank hi hey hello yo guys anyone someone somebody know knows tell explain question quick just really
    actually like lol wait so also still even ever get got there's what's who's how's it's i'm i've you're
    people ppl person thing things stuff right now one ones way up down out off onto whats thats
    say says said saying claim claims claimed claiming report reports reported according told stated statement
    after before during near since until while between against through via without within around still yet
    already again ago then there's
    v vo na i s so k ko po za iz u o ob ot do ne li chto kak eto byl byla byli bylo ya my vy on ona oni ikh
    yego yeye tam tut zhe by ili a no da net pro vid ta shcho yak tse buv bula buly z iz chy""".split()  # noqa: SIM905
)


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.translate(_TRANSLIT).replace("’", "'")


def normalise(text: str) -> str:
    """Lower case, no accents, Cyrillic transliterated, punctuation as spaces."""
    return " ".join(_WORD.findall(_fold(text)))


def words(text: str) -> list[str]:
    return _WORD.findall(_fold(text))


def is_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


@dataclass(frozen=True, slots=True)
class Token:
    word: str  # normalised (transliterated) form
    cyrillic: bool  # written in Cyrillic: inflected, and our everyday-word lists know less of it


def tokens(text: str) -> list[Token]:
    if text.isascii():
        return [Token(w, False) for w in _WORD.findall(text.lower())]
    out: list[Token] = []
    for raw in text.split():
        cyrillic = is_cyrillic(raw)
        out.extend(Token(w, cyrillic) for w in words(raw))
    return out


def sentences(text: str) -> list[str]:
    """A chat message in sentences (a question inside a long message is one of them)."""
    return [s for s in (p.strip() for p in _SENTENCE.split(text)) if s]


_DOUBLE = re.compile(r"([bdfgkmnprt])\1$")


@lru_cache(maxsize=131072)
def stem(word: str) -> str:
    """A light English stemmer: enough that "attacks", "attacked", "attacking" and
    "organise", "organised" meet. Not for Cyrillic (see the lexicon's `*` stems)."""
    if len(word) <= 3 or not word.isascii() or not word.isalpha():
        return word.removesuffix("'s")
    if word.endswith("ed") and len(word) - 2 < 3:
        return word[:-1]  # "used" → "use"
    for suffix, keep in (("'s", ""), ("ies", "y"), ("ied", "y"), ("ing", ""), ("ers", "er"), ("ed", ""),
                         ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            word = word[: len(word) - len(suffix)] + keep
            if suffix in ("ing", "ed") and _DOUBLE.search(word):
                word = word[:-1]  # "stopped" → "stop", "shelling" → "shell" (ll kept)
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]  # "damage"/"damaged", "organise"/"organised"
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
