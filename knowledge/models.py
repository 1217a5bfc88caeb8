"""The claim base's data model: Event → Topic → Claim, with Sources and Parties.

Everything here is plain data validated by pydantic in strict mode, so a knowledge
file, a moderator's form and the database all go through the same rules. The
vocabulary mirrors how news articles attribute facts: a *party* asserts a *claim*,
a *source* reports it, and somebody may have *verified* it (or not).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Self
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .i18n import DEFAULT_LANGUAGE, ENGLISH, N_, Speech, known_language, plural_categories, plural_category
from .normalise import has_visible, normalise_text

# Ids are short, stable, human-typed slugs: they appear in knowledge files, in
# Discord autocomplete and in URLs, so keep them boring.
MAX_ID_CHARS = 80
SLUG_PATTERN = rf"^[a-z0-9][a-z0-9._-]{{0,{MAX_ID_CHARS - 1}}}$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]

# Discord shows at most 1,024 characters in an embed field; a statement longer than
# that could never be shown whole next to the other parties' versions.
MAX_STATEMENT = 1000
MAX_SHORT = 200
MAX_NOTE = 1000

MAX_URL = 2000
# A count of people, buildings, shells: nothing real is near a trillion, and a bound keeps
# every value exact in JSON and in a float.
MAX_FIGURE = 10**12


def _text(max_length: int, *, multiline: bool) -> Callable[[str], str]:
    """Validator for a free-text field: normalised (see knowledge.normalise), then measured."""

    def check(value: str) -> str:
        cleaned = normalise_text(value, multiline=multiline)
        if not has_visible(cleaned):
            if value.strip():
                raise ValueError("is empty once invisible and control characters are removed")
            raise ValueError("must not be empty")
        if len(cleaned) > max_length:
            raise ValueError(f"is {len(cleaned):,} characters long; at most {max_length:,} are allowed")
        return cleaned

    return check


# Statements, quotes, notes and summaries may run over lines; names, titles and labels are
# one line (a newline in a Discord embed title or a party name only breaks the layout).
Text = Annotated[str, AfterValidator(_text(MAX_STATEMENT, multiline=True))]
ShortText = Annotated[str, AfterValidator(_text(MAX_SHORT, multiline=False))]
NoteText = Annotated[str, AfterValidator(_text(MAX_NOTE, multiline=True))]

_URL_HELP = "must be a full http(s) URL, e.g. https://example.org/article"
# What can end or open a Markdown link (or an autolink) where a URL is shown: kept
# percent-encoded, so a URL can never close the link it sits in and start another.
MARKDOWN_UNSAFE_IN_URL = "()[]<>\"'\\`"
_MARKDOWN_UNSAFE = {ch: f"%{ord(ch):02X}" for ch in MARKDOWN_UNSAFE_IN_URL}
_HOST = re.compile(r"[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*\.?")


def _check_url(value: str) -> str:
    if any(ch.isspace() or unicodedata.category(ch)[0] in "CZ" for ch in value):
        raise ValueError(f"{_URL_HELP} (no spaces, control or invisible characters)")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError:
        raise ValueError(_URL_HELP) from None
    if parts.scheme not in ("http", "https") or not value[len(parts.scheme) + 1:].startswith("//"):
        raise ValueError(_URL_HELP)
    if "@" in parts.netloc:
        # https://bbc.co.uk@evil.example/ goes to evil.example: userinfo spoofs the host.
        raise ValueError(f"{_URL_HELP} (no user name or '@' before the host)")
    host = parts.hostname or ""
    if parts.netloc.startswith("["):
        try:
            if "%" in host:  # a zone id is free text inside the netloc, never encoded
                raise ValueError(host)
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ValueError(f"{_URL_HELP} (the host is not a valid address)") from None
    elif not _HOST.fullmatch(host):
        raise ValueError(f"{_URL_HELP} (the host is missing or not a valid name)")
    netloc = parts.netloc
    if not host.isascii():
        # Kept as the ASCII (punycode) name DNS uses: a look-alike host such as "bbс.co.uk"
        # with a Cyrillic "с" then shows as the "xn--…" name it really is.
        try:
            ascii_host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"{_URL_HELP} (the host is not a valid international name)") from None
        netloc = ascii_host + (f":{parts.port}" if parts.port is not None else "")
    head = len(parts.scheme) + 3 + len(parts.netloc)
    rest = "".join(_MARKDOWN_UNSAFE.get(ch, ch) for ch in value[head:])
    url = f"{parts.scheme}://{netloc}{rest}"
    if len(url) > MAX_URL:
        raise ValueError(f"is {len(url):,} characters long (once encoded); at most {MAX_URL:,} are allowed")
    return url


# Stored as normalised: scheme in lower case, Markdown-breaking characters percent-encoded.
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_URL), AfterValidator(_check_url)]


def _is_number(value: object) -> object:
    # One clear message instead of the union's two ("valid integer", "valid number"); and
    # a bool is an int in Python but not a count.
    if type(value) not in (int, float):
        raise ValueError("must be a number, e.g. 70 (not text, and not true/false)")
    return value


def _check_figure(value: float) -> int | float:
    if not math.isfinite(value) or value > MAX_FIGURE:
        raise ValueError(f"must be a finite number no larger than {MAX_FIGURE:,}")
    if value < 0:
        raise ValueError("must be 0 or more")
    return value


FigureValue = Annotated[int | float, BeforeValidator(_is_number), AfterValidator(_check_figure)]

# Validation contexts for data written before figures had bounds: records in a database
# (read honestly, see _upgrade_stored_figure) and version-1 knowledge files (a missing
# wording becomes the number; anything else is for the curator to fix, so it is refused).
STORED_RECORD: dict[str, str] = {"figures": "stored"}
FORMAT_1_FILE: dict[str, str] = {"figures": "format-1"}


class Status(StrEnum):
    """How far a claim has been checked. A closed vocabulary: moderators pick one."""

    UNVERIFIED = "unverified"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    FALSE = "false"
    RETRACTED = "retracted"

    @property
    def meaning(self) -> str:
        from .statuses import STATUS_INFO  # the one table of what statuses mean and look like

        return STATUS_INFO[self].meaning

    @property
    def needs_verifier(self) -> bool:
        """A verdict of true or false is only worth something if we say whose it is."""
        return self in (Status.CONFIRMED, Status.FALSE)




class Model(BaseModel):
    # strict: a figure is a number, not "70" as a string; forbid: a misspelt field in a
    # knowledge file ("satus:") is an error, not silently ignored.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def _language_key(code: str) -> str:
    return known_language(code)


# A language a record is written or translated in: "uk", "ar", "pt-BR" (CLDR must know it).
LanguageCode = Annotated[str, AfterValidator(_language_key)]


class FigureTranslation(Model):
    """A figure's words in another language. The number is never translated: it is the
    party's, kept once in the original figure."""

    wording: ShortText | None = None  # the party's words for the quantity, translated
    # What is counted. One text is shown as "unit: number" (never a wrongly agreeing
    # plural); the forms for each of the language's plural categories (one, few, many,
    # other…: see CLDR) let the number and the unit agree: "1 цивільний", "5 цивільних".
    unit: ShortText | dict[str, ShortText]


class ClaimTranslation(Model):
    """A moderator's translation of a claim; the original stays the claim itself."""

    statement: Text
    quote: Text | None = None
    figure: FigureTranslation | None = None


class TopicTranslation(Model):
    title: ShortText
    aliases: list[ShortText] = []  # how members ask it in that language: the matcher learns them


class EventTranslation(Model):
    title: ShortText
    location: ShortText | None = None


class PartyTranslation(Model):
    name: ShortText
    aliases: list[ShortText] = []


def _check_translations(translations: dict[str, Any], original: str) -> None:
    if original in translations:
        raise ValueError(f"translations: '{original}' is the language this is written in; "
                         "translate into other languages")
    for language, translation in translations.items():
        figure = getattr(translation, "figure", None)
        if figure is not None and isinstance(figure.unit, dict):
            wanted = plural_categories(language)
            given = set(figure.unit)
            if unknown := sorted(given - wanted):
                raise ValueError(f"translations.{language}.figure.unit: {', '.join(unknown)} "
                                 f"{'is not a plural form' if len(unknown) == 1 else 'are not plural forms'} "
                                 f"of {language}; it uses {', '.join(sorted(wanted))}")
            if missing := sorted(wanted - given):
                raise ValueError(f"translations.{language}.figure.unit: give every plural form of {language} "
                                 f"({', '.join(sorted(wanted))}); missing {', '.join(missing)} — or give one text, "
                                 "shown as \"unit: number\"")


class Source(Model):
    """Where a claim was reported: an article, a statement, a post."""

    id: Slug
    publisher: ShortText
    title: Text
    url: Url | None = None
    # A copy kept beside the claim base (e.g. "seeds/belgorod-incursion.txt"), for
    # sources that have no public URL or may disappear.
    document: ShortText | None = None
    published: date | None = None
    retrieved: date | None = None

    @model_validator(mode="after")
    def _locatable(self) -> Self:
        if self.url is None and self.document is None:
            raise ValueError("a source needs a url or a document (a local copy) so readers can check it")
        return self


class Party(Model):
    """Who asserts things: a government body, an official, a group, an outlet."""

    id: Slug
    name: ShortText
    # Other ways people name the party in questions ("Moscow", "the MoD").
    aliases: list[ShortText] = []
    description: NoteText | None = None
    translations: dict[LanguageCode, PartyTranslation] = {}


# What a party said about a quantity, sorted by what it commits them to. Any of these in the
# wording means the party did not give an exact number, so an exact `value` would put words
# in their mouth; the message for each says what to write instead.
_VAGUE_WORDING: tuple[tuple[re.Pattern[str], str | None, str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), bound, fix)
    for pattern, bound, fix in (
        (r"\b(over|more than|upwards of|in excess of)\b|\+", "more_than",
         "use more_than instead of value (e.g. more_than: 70 for 'over 70')"),
        (r"\b(at least|no fewer than|no less than|a minimum of)\b", "at_least",
         "use at_least instead of value (e.g. at_least: 200 for 'at least 200')"),
        (r"\b(up to|at most|no more than|a maximum of)\b", "at_most",
         "use at_most instead of value (e.g. at_most: 50 for 'up to 50')"),
        (r"\b(fewer than|less than|under|below)\b", "fewer_than",
         "use fewer_than instead of value (e.g. fewer_than: 10 for 'under 10')"),
        (r"\bbetween\b|\d\s*(?:to|-|\u2013|\u2014)\s*\d", "between",
         "use between: [low, high] instead of value (e.g. between: [18000, 20000])"),
        (r"\b(dozens|scores|hundreds|thousands|millions|tens of|several|many|few|numerous|multiple)\b", None,
         "use at_least if they gave a lower bound, or leave the number out (the wording alone says what "
         "they claimed)"),
        (r"\b(about|around|approximately|roughly|nearly|almost|estimated|some|or so)\b|~", None,
         "leave the number out: an approximate figure is not an exact one"),
    )
)

BOUNDS: tuple[str, ...] = ("value", "at_least", "more_than", "at_most", "fewer_than", "between")
# How each bound reads in front of its number.
_BOUND_WORDS = {"value": N_("{number}"), "at_least": N_("at least {number}"),
                "more_than": N_("more than {number}"), "at_most": N_("at most {number}"),
                "fewer_than": N_("fewer than {number}")}


def vague_wording_fix(wording: str) -> str | None:
    """What to write instead of an exact `value`, when `wording` is not an exact number."""
    return next((fix for pattern, _, fix in _VAGUE_WORDING if pattern.search(wording)), None)


def _vague_bound(wording: str) -> str | None:
    return next((bound for pattern, bound, _ in _VAGUE_WORDING if pattern.search(wording)), None)


def format_number(value: int | float) -> str:
    """A figure as people write it: 120,000 and 71.4, never 1.2e+05."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}"


def _upgrade_stored_figure(data: dict[str, Any]) -> dict[str, Any]:
    """A figure stored before bounds existed ({value, unit, wording?}), read honestly.

    Such a figure always carries `value`, even where the party gave none ("dozens" was kept
    as 24). The number is kept only as far as the wording supports it: a missing wording
    becomes the number itself (the curator typed it); a bound word with the same number
    ("over 70" and 70) becomes that bound; any other vague wording keeps the words alone."""
    if any(data.get(key) is not None for key in BOUNDS[1:]) or type(data.get("value")) not in (int, float):
        return data  # already the new shape, or broken: validation reports it
    value = data["value"]
    wording = data.get("wording")
    if wording is None or not isinstance(wording, str):
        return {**data, "wording": format_number(value)} if wording is None else data
    if vague_wording_fix(wording) is None:
        return data
    upgraded = {k: v for k, v in data.items() if k != "value"}
    numbers = {n.replace(",", "") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", wording)}
    bound = _vague_bound(wording)
    if bound not in (None, "between") and numbers == {format_number(value).replace(",", "")}:
        upgraded[bound] = value
    return upgraded


class Figure(Model):
    """A quantity inside a claim, exactly as the party put it.

    `wording` is always the party's own words ("dozens", "over 70", "one civilian
    fatality"). A number is kept only when they gave one: `value` when it is exact, one of
    `at_least`, `more_than`, `at_most`, `fewer_than` when it is a bound, `between` for a
    range — or none of them when they gave no number at all ("dozens", "several").
    """

    # Declared first: the number fields' validators check themselves against it.
    wording: ShortText  # the party's words for the quantity, never our reading of them
    unit: ShortText  # what is counted, for any number but one: "attackers killed"
    unit_one: ShortText | None = None  # the same for exactly one: "attacker killed"
    value: FigureValue | None = None  # an exact number the party stated
    at_least: FigureValue | None = None
    more_than: FigureValue | None = None
    at_most: FigureValue | None = None
    fewer_than: FigureValue | None = None
    between: list[FigureValue] | None = None  # [low, high]

    @model_validator(mode="before")
    @classmethod
    def _upgrade(cls, data: Any, info: ValidationInfo) -> Any:
        # Only records stored before bounds existed are upgraded (see storage); a figure
        # written today must say what the party said.
        upgrade = (info.context or {}).get("figures")
        if not isinstance(data, dict) or upgrade is None:
            return data
        if upgrade == "stored":
            return _upgrade_stored_figure(data)
        if data.get("wording") is None and type(data.get("value")) in (int, float):
            return {**data, "wording": format_number(data["value"])}
        return data

    @field_validator(*BOUNDS)
    @classmethod
    def _one_number(cls, number: Any, info: ValidationInfo) -> Any:
        if number is None:
            return number
        name = info.field_name
        earlier = [b for b in BOUNDS[: BOUNDS.index(name)] if info.data.get(b) is not None]
        if earlier:
            raise ValueError(f"give one of {', '.join(BOUNDS)}, not both {earlier[0]} and {name}: pick the one "
                             "that matches the wording (or none, when the party gave no number)")
        if name == "between":
            if len(number) != 2 or number[0] >= number[1]:
                raise ValueError("must be two numbers, low then high, e.g. between: [50, 1000]")
        if name == "value" and isinstance(wording := info.data.get("wording"), str):
            if (fix := vague_wording_fix(wording)) is not None:
                raise ValueError(f"wording '{wording}' is not an exact number: {fix}")
        return number

    @property
    def number(self) -> int | float | None:
        """The number shown next to the unit (a range's upper end), or None without one."""
        for name in BOUNDS[:-1]:
            if (n := getattr(self, name)) is not None:
                return n  # type: ignore[no-any-return]
        return self.between[1] if self.between else None

    @property
    def bound(self) -> str | None:
        """Which of BOUNDS the party gave, or None for wording only."""
        return next((b for b in BOUNDS if getattr(self, b) is not None), None)

    def label(self, speech: Speech = ENGLISH, translation: FigureTranslation | None = None) -> str:
        """The figure for people: our number only in the party's own bound, their words beside it.

        "1 civilian killed (said: “one civilian fatality”)", "more than 70 attackers killed
        (said: “over 70”)", "“dozens” (attackers killed) — no exact number given". In
        another language the words come from `translation`; the number and the unit agree
        only when the form for that number is known, else it reads "unit: number"."""
        tr = speech.tr
        wording = translation.wording if translation and translation.wording else self.wording
        # What is counted, standing alone ("“dozens” (attackers killed)", "attackers killed: 70"):
        # the plural a language uses for a few (3) reads right on its own in every language
        # (Ukrainian's "other" form is for fractions, Arabic's for 100 and more).
        unit_text = self.unit if translation is None else (
            translation.unit if isinstance(translation.unit, str)
            else translation.unit.get(plural_category(speech.language, 3), translation.unit["other"]))
        bound = self.bound
        if bound is None:
            return tr("\u201c{wording}\u201d ({unit}) \u2014 no exact number given", wording=wording, unit=unit_text)
        if self.between is not None:
            amount = tr("{low} to {high}", low=self.between[0], high=self.between[1])
            n: int | float = self.between[1]
        else:
            number = self.number
            assert number is not None
            amount, n = tr(_BOUND_WORDS[bound], number=number), number
        unit = self._unit_for(n, speech, translation)
        counted = (tr("{unit}: {amount}", unit=unit_text, amount=amount) if unit is None
                   else tr("{amount} {unit}", amount=amount, unit=unit))
        # The party's own words, unless the label already says exactly them.
        if wording.casefold() in (amount.casefold(), counted.casefold()):
            return counted
        return tr("{figure} (said: \u201c{wording}\u201d)", figure=counted, wording=wording)

    def _unit_for(self, n: int | float, speech: Speech, translation: FigureTranslation | None) -> str | None:
        """The unit in the form that agrees with `n`, or None when that form is not known
        (then the label says "unit: n" rather than risk "1 civilians")."""
        if translation is not None:
            if isinstance(translation.unit, str):
                return None
            return translation.unit.get(plural_category(speech.language, n))
        if speech.language != DEFAULT_LANGUAGE:
            return None  # the curator's English forms can't agree with another language's number
        if n == 1:
            return self.unit_one
        return self.unit


class Verification(Model):
    """Who checked a claim, and what they found."""

    by: ShortText  # e.g. "BBC"
    on: date | None = None
    source: Slug | None = None  # the source that reports the verification
    note: NoteText | None = None


class Claim(Model):
    id: Slug
    party: Slug  # a Party id
    statement: Text
    figure: Figure | None = None
    quote: Text | None = None  # verbatim, when the source quotes the party
    # Not strict: a knowledge file or a form gives the status as its word.
    status: Annotated[Status, Field(strict=False)] = Status.UNVERIFIED
    verification: Verification | None = None
    sources: list[Slug] = Field(min_length=1)  # never a claim without a source
    # As Wikidata's "statement disputed by" / "statement supported by".
    disputed_by: list[Slug] = []
    supported_by: list[Slug] = []
    note: NoteText | None = None
    # Moderators' translations, by language; shown marked as translations, the original
    # one click away. Written in the language of the claim's event.
    translations: dict[LanguageCode, ClaimTranslation] = {}

    @model_validator(mode="after")
    def _verdict_has_verifier(self) -> Self:
        if self.status.needs_verifier and self.verification is None:
            raise ValueError(
                f"status '{self.status}' needs a verification with 'by' "
                "(who verified it, e.g. 'BBC')"
            )
        if self.party in self.disputed_by:
            raise ValueError("a party cannot dispute its own claim (party is also in disputed_by)")
        for language, translation in self.translations.items():
            if translation.quote is not None and self.quote is None:
                raise ValueError(f"translations.{language}.quote: the claim has no quote to translate")
            if translation.figure is not None and self.figure is None:
                raise ValueError(f"translations.{language}.figure: the claim has no figure to translate")
        _check_translations(self.translations, "")
        return self


class Topic(Model):
    """One contested question about an event, e.g. "How many were killed?"."""

    id: Slug
    title: ShortText
    aliases: list[ShortText] = []  # sample phrasings members might use
    tags: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]] = []
    translations: dict[LanguageCode, TopicTranslation] = {}


class Event(Model):
    id: Slug
    title: ShortText
    summary: Text | None = None
    date: dt.date
    end_date: dt.date | None = None
    location: ShortText | None = None
    # The language the event, its topics and their claims are written in; answers in any
    # other language use the translations and say which parts are in this one.
    language: LanguageCode = DEFAULT_LANGUAGE
    translations: dict[LanguageCode, EventTranslation] = {}

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.end_date is not None and self.end_date < self.date:
            raise ValueError("end_date is before date")
        _check_translations(self.translations, self.language)
        return self


# --- records as stored -------------------------------------------------------

RecordKind = str  # one of KINDS
KINDS: tuple[str, ...] = ("source", "party", "event", "topic", "claim")
MODEL_OF_KIND: dict[str, type[Model]] = {
    "source": Source,
    "party": Party,
    "event": Event,
    "topic": Topic,
    "claim": Claim,
}
# A topic belongs to an event, a claim to a topic: the parent id is kept beside the
# record rather than inside it, so moving a claim is one field, not a rewrite.
PARENT_KIND: dict[str, str | None] = {
    "source": None,
    "party": None,
    "event": None,
    "topic": "event",
    "claim": "topic",
}


class Meta(BaseModel):
    """What the store knows about a record beyond its content."""

    model_config = ConfigDict(frozen=True)

    version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    deleted_at: datetime | None = None


def normalise_id(text: str) -> str:
    """A slug from free text, for forms where a moderator gives no id."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60] or "item"
