"""What claimbot says, in the member's language.

Every sentence the bot or the CLI shows is an English message id looked up in a gettext
catalog (`knowledge/locales/<lang>/LC_MESSAGES/claimbot.po`, edited with any PO editor,
kept complete by a test). Numbers and dates are formatted for the language with Babel
(CLDR), and plural forms follow each language's own rules (Ukrainian has three, Arabic
six), never an English "s".

Front ends pick a language with `choose_language` and hand the resulting `Speech` to the
renderers; the domain never guesses a language on its own.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

RLM = "\u200f"  # RIGHT-TO-LEFT MARK
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "claimbot"
DEFAULT_LANGUAGE = "en"

# The interface languages: a catalog exists for each, and a test fails if any of them
# lacks a message. The value is the language's name in itself (for choices and notes).
LANGUAGES: dict[str, str] = {
    "en": "English",
    "uk": "Українська",
    "ru": "Русский",
    "ar": "العربية",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
}

# A language code as knowledge files and settings write it: "uk", "pt-BR", "es-419".
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention, so extraction finds it
    """Marks a message for the catalogs where it is defined; it is translated where shown."""
    return message


def known_language(code: str) -> str:
    """`code` normalised ("pt_br" → "pt-BR"), or ValueError when CLDR knows no such language."""
    if not LANGUAGE_CODE.match(code):
        raise ValueError(f"'{code}' is not a language code; use one like uk, ar, fr or pt-BR")
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise ValueError(f"'{code}' is not a language claimbot knows; use one like uk, ar, fr or pt-BR") from None
    return locale.language if locale.territory is None else f"{locale.language}-{locale.territory}"


def interface_language(code: str | None) -> str | None:
    """The interface language for a language or Discord locale ("en-US" → "en",
    "es-419" → "es"), or None when claimbot has no catalog for it."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].casefold()
    return base if base in LANGUAGES else None


def choose_language(*preferences: str | None) -> str:
    """The first preference claimbot speaks, else English. Pass them strongest first."""
    for preference in preferences:
        if (language := interface_language(preference)) is not None:
            return language
    return DEFAULT_LANGUAGE


def language_name(code: str, in_language: str = DEFAULT_LANGUAGE) -> str:
    """A language's name as a reader of `in_language` says it ("Ukrainian", "українська")."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(in_language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return code
    return name or code


def plural_categories(code: str) -> frozenset[str]:
    """The CLDR plural categories a language uses for whole numbers, "other" included:
    English {one, other}, Ukrainian {one, few, many, other}, Arabic six."""
    return frozenset(Locale.parse(code.replace("-", "_")).plural_form.tags) | {"other"}


def plural_category(code: str, n: int | float) -> str:
    return str(Locale.parse(code.replace("-", "_")).plural_form(n))


def catalog_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _translations(language: str) -> NullTranslations:
    # The .po files are the source of truth and compiled in memory when first used
    # (milliseconds), so no stale compiled .mo file can ever be shipped beside them.
    # Untranslated and fuzzy entries fall back to the English message id.
    path = catalog_path(language)
    if language == DEFAULT_LANGUAGE or not path.is_file():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@cache
def _right_to_left(language: str) -> bool:
    return bool(Locale.parse(language.replace("-", "_")).character_order == "right-to-left")


@dataclass(frozen=True)
class Speech:
    """Claimbot speaking one language: messages, plurals, numbers and dates.

    Messages use named `{placeholders}`, so a translation may reorder them."""

    language: str = DEFAULT_LANGUAGE
    _catalog: NullTranslations = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_catalog", _translations(self.language))

    @property
    def rtl(self) -> bool:
        """Whether the language is written right to left (Arabic, Hebrew, Persian, Urdu)."""
        return _right_to_left(self.language)

    def tr(self, message: str, /, **values: Any) -> str:
        """`message` in this language, with `values` filled in (numbers formatted for it)."""
        return self._fill(self._catalog.gettext(message), values)

    def plural(self, singular: str, plural: str, n: int, /, **values: Any) -> str:
        """The form of the message that agrees with `n` in this language; `{n}` is filled in."""
        return self._fill(self._catalog.ngettext(singular, plural, n), {"n": n, **values})

    def ctx(self, context: str, message: str, /, **values: Any) -> str:
        """`message` in a context that may need a different word (a command name, a button)."""
        return self._fill(str(self._catalog.pgettext(context, message)), values)

    def number(self, value: int | float) -> str:
        return format_decimal(value, locale=self._babel)

    def date(self, value: date) -> str:
        return format_date(value, format="medium", locale=self._babel)

    def datetime(self, value: datetime) -> str:
        return format_datetime(value, format="medium", tzinfo=value.tzinfo, locale=self._babel)

    def join(self, items: Iterable[str]) -> str:
        """A list as this language writes one: "a, b and c"."""
        return format_list(list(items), locale=self._babel)

    def line(self, text: str) -> str:
        """A line of the bot's own text, laid out in this language's direction.

        A client lays a paragraph out by its first strong letter: an Arabic line that opens
        with an English party name or a number would run left to right. A right-to-left mark
        at the start of each line sets the direction; left-to-right text is unchanged."""
        if not self.rtl:
            return text
        return "\n".join(RLM + part if part and not part.startswith(RLM) else part for part in text.split("\n"))

    def isolate(self, text: str) -> str:
        """User text (a name, a statement) kept in its own direction inside a sentence of
        this language: an English party name in an Arabic line does not scramble it."""
        return f"\u2068{text}\u2069" if self.rtl else text

    @property
    def _babel(self) -> str:
        return self.language.replace("-", "_")

    def _fill(self, text: str, values: dict[str, Any]) -> str:
        if not values:
            return text
        shown = {k: self.number(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
                 for k, v in values.items()}
        return text.format(**shown)


@cache
def speech(language: str | None = None) -> Speech:
    """The Speech for an interface language (English for None or one without a catalog)."""
    return Speech(choose_language(language))


ENGLISH = Speech()
