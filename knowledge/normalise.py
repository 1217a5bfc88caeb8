"""Text normalisation at the edge: what a curator or a member types, made safe to keep and show.

Every text field of the claim base goes through `normalise_text` when it is validated, so
what is stored, exported and shown in a terminal or a Discord embed never carries:

- C0/C1 control characters (BEL, ESC for ANSI colour escapes, NUL, ...), except a newline
  and a tab in multi-line text;
- bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069),
  which reorder how text is *displayed* and can make a claim read as something else;
- lone surrogates and Unicode noncharacters, which JSON and YAML cannot carry faithfully;
- invisible characters at either end (zero-width spaces, joiners, BOMs, Hangul fillers).

Zero-width joiners and non-joiners, and the left-to-right/right-to-left marks, are kept
*inside* text: Arabic, Persian and Indic scripts and emoji sequences need them.

The function is idempotent (normalising twice changes nothing), which is what lets a
value validated once be stored, read back and validated again unchanged.
"""

from __future__ import annotations

import re
import unicodedata

# Bidirectional embedding/override (LRE, RLE, PDF, LRO, RLO) and isolate (LRI, RLI, FSI, PDI)
# controls: they reorder the display of the text around them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# Characters that draw nothing although Unicode does not class them as format characters:
# Hangul fillers and the braille blank are the usual way to post an "empty" name.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u180b\u180c\u180d\u180f")

# Terminal escape sequences (ANSI colours, cursor moves, window titles): removed whole, not
# just their ESC, so "\x1b[2J" leaves nothing behind rather than a stray "[2J".
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x9b[0-?]*[ -/]*[@-~]")

# Line separators other than \n: a text keeps them as plain newlines.
_LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029\x0b\x0c]")


def _dropped_class() -> str:
    ranges = ["\x00-\x08", "\x0b-\x1f", "\x7f-\x9f", "\u202a-\u202e", "\u2066-\u2069",
              "\ud800-\udfff", "\ufdd0-\ufdef"]
    ranges += [f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17)]
    return "[" + "".join(ranges) + "]"


# Removed wherever it appears: C0/C1 controls but \n and \t (other line breaks are turned
# into \n first), bidi controls, lone surrogates, noncharacters. One regex: texts can be long.
_DROPPED = re.compile(_dropped_class())


def _is_invisible(ch: str) -> bool:
    """Draws nothing on its own: whitespace, format characters, blank-looking letters."""
    if ch.isspace() or ch in _BLANK_LOOKING:
        return True
    cat = unicodedata.category(ch)
    return cat in ("Cc", "Cf", "Cs", "Zs", "Zl", "Zp")


def _strippable(ch: str) -> bool:
    """Removed at either end of a text. Tag characters (U+E0020–U+E007F) end subdivision
    flags such as England's, so they stay; so do variation selectors (U+FE0F ends "❤️")."""
    if 0xE0020 <= ord(ch) <= 0xE007F:
        return False
    return _is_invisible(ch)


def normalise_text(text: str, *, multiline: bool) -> str:
    """`text` as claimbot keeps it: NFC, no controls (but \\n and \\t when `multiline`), no bidi
    overrides, no invisible characters at either end. Single-line text turns line breaks and
    tabs into spaces. The result may be empty; see `has_visible`."""
    text = _ESCAPES.sub("", text)
    text = _LINE_BREAKS.sub("\n", text)
    # Remove before composing: a control between "e" and U+0301 would otherwise keep them
    # apart in this pass and let a second pass compose them (not idempotent).
    text = _DROPPED.sub("", text)
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    text = unicodedata.normalize("NFC", text)
    start, end = 0, len(text)
    while start < end and _strippable(text[start]):
        start += 1
    while end > start and _strippable(text[end - 1]):
        end -= 1
    return text[start:end]


def has_visible(text: str) -> bool:
    """Whether `text` shows anything: at least one character that is not whitespace, a
    control or format character, a blank-looking filler or a lone combining mark."""
    for ch in text:
        if _is_invisible(ch) or 0xE0000 <= ord(ch) <= 0xE007F:
            continue
        if unicodedata.category(ch) in ("Mn", "Me"):
            continue  # a combining mark draws on a base character; alone it is noise
        return True
    return False


def clean_text_or_empty(text: str) -> str:
    """One line of free text (a question, a search) as the domain should see it: normalised
    as a single-line field is, or "" when nothing visible is left.

    For the question path: call it before length checks and matching, and treat "" as an
    empty question. It never raises, whatever `text` holds (controls, lone surrogates,
    bidi overrides, only zero-width characters).
    """
    cleaned = normalise_text(text, multiline=False)
    return cleaned if has_visible(cleaned) else ""
