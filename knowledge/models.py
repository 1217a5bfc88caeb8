"""The claim base's data model: Event → Topic → Claim, with Sources and Parties.

Everything here is plain data validated by pydantic in strict mode, so a knowledge
file, a moderator's form and the database all go through the same rules. The
vocabulary mirrors how news articles attribute facts: a *party* asserts a *claim*,
a *source* reports it, and somebody may have *verified* it (or not).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

# Ids are short, stable, human-typed slugs: they appear in knowledge files, in
# Discord autocomplete and in URLs, so keep them boring.
SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,79}$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]

# Discord shows at most 1,024 characters in an embed field; a statement longer than
# that could never be shown whole next to the other parties' versions.
MAX_STATEMENT = 1000
MAX_SHORT = 200
MAX_NOTE = 1000

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_STATEMENT)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SHORT)]
NoteText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NOTE)]


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise ValueError("must be a full http(s) URL, e.g. https://example.org/article")
    return value


Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(_check_url)]


class Status(StrEnum):
    """How far a claim has been checked. A closed vocabulary: moderators pick one."""

    UNVERIFIED = "unverified"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    FALSE = "false"
    RETRACTED = "retracted"

    @property
    def meaning(self) -> str:
        return STATUS_MEANINGS[self]

    @property
    def needs_verifier(self) -> bool:
        """A verdict of true or false is only worth something if we say whose it is."""
        return self in (Status.CONFIRMED, Status.FALSE)


STATUS_MEANINGS: dict[Status, str] = {
    Status.UNVERIFIED: "asserted by a party, not independently checked",
    Status.CONFIRMED: "independently verified as true by a named verifier",
    Status.DISPUTED: "contradicted by another party; not settled",
    Status.FALSE: "independently shown to be false by a named verifier",
    Status.RETRACTED: "withdrawn by the party that made it",
}


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

    value: int | float = Field(ge=0)
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
    date: date
    end_date: date | None = None
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
