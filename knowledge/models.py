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
from typing import Annotated, Self
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from .normalise import has_visible, normalise_text

# Ids are short, stable, human-typed slugs: they appear in knowledge files, in
# Discord autocomplete and in URLs, so keep them boring.
SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,79}$"
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
_MARKDOWN_UNSAFE = {ch: f"%{ord(ch):02X}" for ch in "()[]<>\"'\\`"}
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


class Figure(Model):
    """A number inside a claim, with the party's own wording kept beside it."""

    value: FigureValue  # finite, 0 to MAX_FIGURE: JSON keeps it exactly
    unit: ShortText  # what is counted: "attackers killed", "civilians injured"
    # The party's own words for the number ("dozens", "over 70"): the value is our
    # reading of it, the wording is what they actually said.
    wording: ShortText | None = None


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

    @model_validator(mode="after")
    def _verdict_has_verifier(self) -> Self:
        if self.status.needs_verifier and self.verification is None:
            raise ValueError(
                f"status '{self.status}' needs a verification with 'by' "
                "(who verified it, e.g. 'BBC')"
            )
        if self.party in self.disputed_by:
            raise ValueError("a party cannot dispute its own claim (party is also in disputed_by)")
        return self


class Topic(Model):
    """One contested question about an event, e.g. "How many were killed?"."""

    id: Slug
    title: ShortText
    aliases: list[ShortText] = []  # sample phrasings members might use
    tags: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]] = []


class Event(Model):
    id: Slug
    title: ShortText
    summary: Text | None = None
    date: dt.date
    end_date: dt.date | None = None
    location: ShortText | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.end_date is not None and self.end_date < self.date:
            raise ValueError("end_date is before date")
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
