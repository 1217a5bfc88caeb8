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

from knowledge.answers import Answer, ClaimView, SourceRef
from knowledge.digest import Digest
from knowledge.i18n import ENGLISH, Speech, language_name
from knowledge.models import MARKDOWN_UNSAFE_IN_URL, Status
from knowledge.statuses import badge, meaning

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


def claim_text(claim: ClaimView, speech: Speech = ENGLISH, answer_language: str | None = None) -> str:
    """One claim as lines of an embed field, in `speech`'s language (its text in the
    moderators' translation when there is one, marked as such)."""
    tr = speech.tr
    lines = [speech.line(plain(claim.statement))]
    if (figure := claim.figure_label(speech)) is not None:
        lines.append(speech.line(tr("**Figure:** {figure}", figure=plain(figure))))
    if claim.quote:
        lines.append("> " + speech.line(f"\u201c{plain(claim.quote)}\u201d"))
    if claim.translated and claim.original is not None:
        lines.append(speech.line(tr("\U0001f310 *translated by the moderators from {language}*",
                                    language=language_name(claim.original.language, speech.language))))
    elif answer_language is not None and claim.language != answer_language:
        lines.append(speech.line(tr("*in {language}: not translated yet*",
                                    language=language_name(claim.language, speech.language))))
    status = f"**{badge(claim.status, speech)}**"
    if claim.verified_by:
        status = tr("{status} by {verifier}", status=status, verifier=speech.isolate(plain(claim.verified_by)))
    if claim.disputed_by:
        status += " \u00b7 " + tr("disputed by {parties}",
                                  parties=speech.join(speech.isolate(plain(p)) for p in claim.disputed_by))
    lines.append(speech.line(status))
    if claim.sources:
        lines.append(speech.line(tr("Source: {sources}", sources=", ".join(source_link(s) for s in claim.sources))))
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


def answer_fields(answer: Answer, speech: Speech = ENGLISH) -> list[Field]:
    fields: list[Field] = []
    for version in answer.versions:
        name = _shorten(speech.line(plain(version.party)), FIELD_NAME_LIMIT - 20)
        body = "\n\n".join(claim_text(c, speech, answer.language) for c in version.claims)
        for i, chunk in enumerate(_chunks(body, FIELD_VALUE_LIMIT)):
            fields.append(Field(name if i == 0 else speech.tr("{name} (continued)", name=name), chunk))
    return fields


def status_legend(answer: Answer, speech: Speech = ENGLISH) -> str:
    """What each status in the answer means, one line each: not every reader knows the words."""
    shown = dict.fromkeys(c.status for c in answer.claims)
    return "\n".join(speech.line(f"{badge(status, speech)}: {meaning(status, speech)}")
                     for status in Status if status in shown)


NOTE_LIMIT = 300  # a line above an answer ("🔄 Updated …"): the change it names is in the history


def answer_pages(answer: Answer, speech: Speech = ENGLISH, *, note: str | None = None) -> list[discord.Embed]:
    """The embeds of an answer, one per page; a single page when it fits.

    `note`: a line (plain text) at the top of every page, counted within Discord's limits
    like the rest: an answer edited in place says what changed."""
    if answer.decision != "answer" or answer.topic is None:
        return [message_embed(answer, speech)]
    tr = speech.tr
    title = _shorten(speech.line(answer.topic.title), TITLE_LIMIT)
    description = speech.line(tr("{event} \u00b7 every party's version, with its status and source",
                                 event=plain(answer.topic.event_title)))
    if note:
        description = speech.line(_shorten(plain(note), NOTE_LIMIT)) + "\n" + description
    if answer.base is not None:
        # Whose claim base this is: a server answering from a base it follows says so.
        description += "\n" + speech.line("\U0001f4da " + tr("From the followed claim base \u201c{base}\u201d",
                                                                base=answer.base))
    if answer.untranslated:
        description += "\n" + speech.line(tr("Some claims are shown in {language}: the moderators have not "
                                             "translated them yet.",
                                             language=language_name(answer.original_language, speech.language)))
    as_of = (tr("claims as of {date}", date=speech.date(answer.as_of.date())) if answer.as_of
             else tr("claims as of today"))
    footer = status_legend(answer, speech) + "\n" + speech.line(as_of)
    budget = EMBED_TOTAL_LIMIT - len(title) - len(description) - len(footer) - _FOOTER_RESERVE
    pages: list[list[Field]] = [[]]
    used = 0
    for field in answer_fields(answer, speech):
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
        suffix = (" \u00b7 " + tr("page {page}/{pages}", page=number, pages=len(pages))) if len(pages) > 1 else ""
        embed.set_footer(text=footer + suffix)
        embeds.append(embed)
    return embeds


def message_embed(answer: Answer, speech: Speech = ENGLISH) -> discord.Embed:
    """The embed for "did you mean" and for no answer."""
    embed = discord.Embed(description=speech.line(answer.message_in(speech) or ""), colour=COLOUR[answer.decision])
    for n, suggestion in enumerate(answer.suggestions, 1):
        # Titles come from claim bases, a followed one's too: shown as themselves, never as a link.
        title = _shorten(plain(suggestion.title), FIELD_NAME_LIMIT - 8)
        where = plain(suggestion.event_title)
        if base := answer.base_label(suggestion):
            where += f" \u00b7 \U0001f4da {plain(base)}"
        embed.add_field(name=speech.line(f"{speech.number(n)}. {title}"),
                        value=_shorten(speech.line(where), FIELD_VALUE_LIMIT), inline=False)
    return embed


def _status_badge(value: str, speech: Speech) -> str:
    try:
        return badge(Status(value), speech)
    except ValueError:
        return value  # a status word from an older version of claimbot: shown as it was stored


def digest_embeds(digest: Digest, title: str, speech: Speech = ENGLISH) -> list[discord.Embed]:
    """The digest as embeds within Discord's limits; long sections continue in more fields/embeds."""
    tr = speech.tr
    sections: list[tuple[str, list[str]]] = [
        (tr("New claims"), [speech.line(tr("**{party}** on *{topic}*: {statement}", party=plain(c.party),
                                           topic=plain(c.topic), statement=plain(c.statement)))
                            for c in digest.new_claims]),
        (tr("Status changes"), [speech.line(f"**{plain(c.party)}**: {plain(c.statement)}") + "\n"
                                + speech.line(f"{_status_badge(c.before, speech)} \u2192 "
                                              f"{_status_badge(c.after, speech)}"
                                              + (" " + tr("(verified by {verifier})", verifier=plain(c.verified_by))
                                                 if c.verified_by else ""))
                                for c in digest.status_changes]),
        (tr("Asked about most"), [speech.line(tr("{count}\u00d7 {topic}", count=n, topic=plain(t)))
                                  for t, n in digest.most_asked]),
        (tr("Still unanswered"), [speech.line(tr("{count}\u00d7 \u201c{question}\u201d", count=g.count,
                                                 question=plain(g.example)))
                                  for g in digest.unanswered]),
    ]
    left_out = [text for n, text in (
        (digest.more_new_claims,
         speech.plural("{n} more new claim", "{n} more new claims", digest.more_new_claims)),
        (digest.more_status_changes,
         speech.plural("{n} more status change", "{n} more status changes", digest.more_status_changes)),
    ) if n]
    if left_out:
        sections.append((tr("Not listed here"), [speech.line(tr("{what}: `/claim search` finds them, "
                                                               "`/claim export` has them all.",
                                                               what=speech.join(left_out)))]))
    fields: list[Field] = []
    for name, lines in sections:
        if not lines:
            continue
        for i, chunk in enumerate(_chunks("\n".join(lines), FIELD_VALUE_LIMIT)):
            fields.append(Field(name if i == 0 else tr("{name} (continued)", name=name), chunk))
    since, until = f"{digest.since:%Y-%m-%d %H:%M}", f"{digest.until:%Y-%m-%d %H:%M}"
    period = tr("What changed, {since} \u2192 {until} UTC", since=since, until=until)
    embeds: list[discord.Embed] = []
    current = discord.Embed(title=title, description=speech.line(period), colour=COLOUR["answer"])
    for field in fields:
        size = len(current) + len(field.name) + len(field.value)
        if len(current.fields) >= FIELDS_PER_EMBED or size > EMBED_TOTAL_LIMIT - 100:
            embeds.append(current)
            current = discord.Embed(title=tr("{name} (continued)", name=title), colour=COLOUR["answer"])
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
