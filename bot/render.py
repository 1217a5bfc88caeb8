"""Answer → Discord embeds, within Discord's limits, never cutting text silently.

Discord rejects an embed with a field over 1,024 characters, more than 25 fields, or
more than 6,000 characters in all. A long answer is therefore split: a party's claims
continue in further fields, and fields continue on further pages (one embed per page,
with page buttons). Every character of every claim appears on some page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import discord
from discord.utils import escape_markdown

from knowledge.answers import STATUS_BADGE, Answer, ClaimView, SourceRef
from knowledge.digest import Digest
from knowledge.models import MARKDOWN_UNSAFE_IN_URL
from knowledge.text import figure_label

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_PER_EMBED = 25
EMBED_TOTAL_LIMIT = 6000  # per embed, and over all embeds of one message
EMBEDS_PER_MESSAGE = 10
FOOTER_LIMIT = 2048

# Neutral colours per decision, never the only signal: every status is spelt out.
COLOUR = {"answer": discord.Colour.blurple(), "suggest": discord.Colour.gold(), "none": discord.Colour.light_grey()}
STATUS_BADGE_BY_VALUE = {status.value: badge for status, badge in STATUS_BADGE.items()}
# Room kept for "page 10/12" in the footer and the description line.
_FOOTER_RESERVE = 80


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: str


# Characters that could end a masked link's target or start a new link: percent-encoded
# when a URL is shown, whatever was stored (the model already stores URLs this way; this
# keeps older rows and any other path honest too).
_UNESCAPED_BRACKET = re.compile(r"(?<!\\)([\[\]])")
_LINK_UNSAFE = {ord(ch): f"%{ord(ch):02X}" for ch in MARKDOWN_UNSAFE_IN_URL + " \n\r\t"}


def plain(text: str) -> str:
    """User-supplied text shown as itself: no formatting, and no brackets left unescaped that
    could make it (or what follows it) a masked link."""
    return _UNESCAPED_BRACKET.sub(r"\\\1", escape_markdown(text))


def safe_link(text: str, url: str) -> str:
    """A masked link whose label and target no user-supplied text can break out of."""
    return f"[{plain(text)}]({url.translate(_LINK_UNSAFE)})"


def source_link(source: SourceRef) -> str:
    if source.url:
        return safe_link(source.publisher, source.url)
    title = plain(source.title)
    return f"{plain(source.publisher)} — *{title}*" + (f" ({plain(source.document)})" if source.document else "")


def claim_text(claim: ClaimView) -> str:
    lines = [plain(claim.statement)]
    if (figure := figure_label(claim)) is not None:
        lines.append(f"**Figure:** {plain(figure)}")
    if claim.quote:
        lines.append(f"> \u201c{plain(claim.quote)}\u201d")
    status = f"**{claim.badge}**"
    if claim.verified_by:
        status += f" by {plain(claim.verified_by)}"
    if claim.disputed_by:
        status += " \u00b7 disputed by " + ", ".join(plain(p) for p in claim.disputed_by)
    lines.append(status)
    if claim.sources:
        lines.append("Source: " + ", ".join(source_link(s) for s in claim.sources))
    return "\n".join(lines)


def _chunks(text: str, limit: int) -> list[str]:
    """Split text into pieces of at most `limit` characters, at line or word boundaries when possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    if text:
        pieces.append(text)
    return pieces


def _shorten(text: str, limit: int) -> str:
    # Only for labels (titles, field names) whose full text is repeated elsewhere.
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def answer_fields(answer: Answer) -> list[Field]:
    fields: list[Field] = []
    for version in answer.versions:
        name = _shorten(plain(version.party), FIELD_NAME_LIMIT - 20)
        body = "\n\n".join(claim_text(c) for c in version.claims)
        for i, chunk in enumerate(_chunks(body, FIELD_VALUE_LIMIT)):
            fields.append(Field(name if i == 0 else f"{name} (continued)", chunk))
    return fields


def answer_pages(answer: Answer) -> list[discord.Embed]:
    """The embeds of an answer, one per page; a single page when it fits."""
    if answer.decision != "answer" or answer.topic is None:
        return [message_embed(answer)]
    title = _shorten(answer.topic.title, TITLE_LIMIT)
    description = f"{plain(answer.topic.event_title)} \u00b7 every party's version, with its status and source"
    footer = f"claims as of {answer.as_of:%Y-%m-%d}" if answer.as_of else "claims as of today"
    budget = EMBED_TOTAL_LIMIT - len(title) - len(description) - len(footer) - _FOOTER_RESERVE
    pages: list[list[Field]] = [[]]
    used = 0
    for field in answer_fields(answer):
        size = len(field.name) + len(field.value)
        if pages[-1] and (len(pages[-1]) >= FIELDS_PER_EMBED or used + size > budget):
            pages.append([])
            used = 0
        pages[-1].append(field)
        used += size
    embeds = []
    for number, fields in enumerate(pages, 1):
        embed = discord.Embed(title=title, description=description, colour=COLOUR["answer"])
        for field in fields:
            embed.add_field(name=field.name, value=field.value, inline=False)
        suffix = f" \u00b7 page {number}/{len(pages)}" if len(pages) > 1 else ""
        embed.set_footer(text=footer + suffix)
        embeds.append(embed)
    return embeds


def message_embed(answer: Answer) -> discord.Embed:
    """The embed for "did you mean" and for no answer."""
    embed = discord.Embed(description=answer.message or "", colour=COLOUR[answer.decision])
    for n, suggestion in enumerate(answer.suggestions, 1):
        embed.add_field(name=f"{n}. {_shorten(suggestion.title, FIELD_NAME_LIMIT - 4)}",
                        value=_shorten(suggestion.event_title, FIELD_VALUE_LIMIT), inline=False)
    return embed


def digest_embeds(digest: Digest, title: str) -> list[discord.Embed]:
    """The digest as embeds within Discord's limits; long sections continue in more fields/embeds."""
    sections: list[tuple[str, list[str]]] = [
        ("New claims", [f"**{plain(c.party)}** on *{plain(c.topic)}*: {plain(c.statement)}"
                        for c in digest.new_claims]),
        ("Status changes", [f"**{plain(c.party)}**: {plain(c.statement)}\n"
                            f"{STATUS_BADGE_BY_VALUE.get(c.before, c.before)} \u2192 "
                            f"{STATUS_BADGE_BY_VALUE.get(c.after, c.after)}"
                            + (f" (verified by {plain(c.verified_by)})" if c.verified_by else "")
                            for c in digest.status_changes]),
        ("Asked about most", [f"{n}\u00d7 {plain(t)}" for t, n in digest.most_asked]),
        ("Still unanswered", [f"{g.count}\u00d7 \u201c{plain(g.example)}\u201d" for g in digest.unanswered]),
    ]
    left_out = [f"{n} more {what}" for n, what in ((digest.more_new_claims, "new claims"),
                                                  (digest.more_status_changes, "status changes")) if n]
    if left_out:
        sections.append(("Not listed here", [f"{' and '.join(left_out)}: `/claim search` finds them, "
                                             "`/claim export` has them all."]))
    fields: list[Field] = []
    for name, lines in sections:
        if not lines:
            continue
        for i, chunk in enumerate(_chunks("\n".join(lines), FIELD_VALUE_LIMIT)):
            fields.append(Field(name if i == 0 else f"{name} (continued)", chunk))
    period = f"{digest.since:%Y-%m-%d %H:%M} \u2192 {digest.until:%Y-%m-%d %H:%M} UTC"
    embeds: list[discord.Embed] = []
    current = discord.Embed(title=title, description=f"What changed, {period}", colour=COLOUR["answer"])
    for field in fields:
        size = len(current) + len(field.name) + len(field.value)
        if len(current.fields) >= FIELDS_PER_EMBED or size > EMBED_TOTAL_LIMIT - 100:
            embeds.append(current)
            current = discord.Embed(title=f"{title} (continued)", colour=COLOUR["answer"])
        current.add_field(name=field.name, value=field.value, inline=False)
    embeds.append(current)
    return embeds


def message_batches(embeds: list[discord.Embed]) -> list[list[discord.Embed]]:
    """Embeds grouped into messages Discord accepts: at most 10 per message, and at most
    6,000 characters over all embeds of one message (not only per embed)."""
    batches: list[list[discord.Embed]] = [[]]
    size = 0
    for embed in embeds:
        if batches[-1] and (len(batches[-1]) >= EMBEDS_PER_MESSAGE or size + len(embed) > EMBED_TOTAL_LIMIT):
            batches.append([])
            size = 0
        batches[-1].append(embed)
        size += len(embed)
    return batches
