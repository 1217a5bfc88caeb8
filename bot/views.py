"""Buttons under answers: "did you mean …", page turning, and the original of a translation.

All are `DynamicItem`s whose state (the topic id, the page, the answer's language) lives
in the custom_id, so they keep working after a restart and re-render from the current
claims, in the language the answer was given in.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from knowledge.answers import Answer, question_key, short_topic_key
from knowledge.i18n import Speech, speech

from .i18n import speech_for
from .render import answer_pages, message_batches
from .respond import after_reply, off_loop, reply_ephemeral, respond

if TYPE_CHECKING:
    from .client import ClaimBot

MAX_LABEL = 80
CUSTOM_ID_LIMIT = 100  # Discord's
# A topic in a custom_id: its key (`TopicRef.key`: "base/topic" for a followed base's),
# or "~" + a hash when the key is too long (knowledge.answers.short_topic_key).
_TOPIC = r"(?P<topic>[a-z0-9._/~-]{1,100})"
# The answer's language in a custom_id; absent on buttons posted before answers had one.
_LANG = r"(?:(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?):)?"


def _custom_id(head: str, topic_key: str, tail: str = "") -> str:
    return head + short_topic_key(topic_key, CUSTOM_ID_LIMIT - len(head) - len(tail)) + tail


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "\u2026"


class PickTopic(discord.ui.DynamicItem[discord.ui.Button[Any]],
                template=r"cb:t:" + _LANG + _TOPIC + r"(?::(?P<key>[0-9a-f]{8}))?"):
    """A "did you mean" choice: replaces the message with that topic's answer, and keeps
    the question (named by its key) as a candidate phrasing of the topic for moderators."""

    def __init__(self, topic_id: str, language: str | None, label: str = "\u2026", key: str | None = None) -> None:
        prefix = f"{language}:" if language else ""
        suffix = f":{key}" if key else ""
        super().__init__(discord.ui.Button(label=_label(label), style=discord.ButtonStyle.secondary,
                                           custom_id=_custom_id(f"cb:t:{prefix}", topic_id, suffix)))
        self.topic_id = topic_id
        self.language = language
        self.key = key

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> PickTopic:
        return cls(match["topic"], match["lang"], key=match["key"])

    async def callback(self, interaction: discord.Interaction[ClaimBot]) -> None:  # type: ignore[override]
        await show_page(interaction, self.topic_id, 0, self.language)
        if self.key and interaction.guild_id is not None:
            await after_reply(interaction.client.service.remember_pick, str(interaction.guild_id), self.topic_id,
                              self.key)


class TurnPage(discord.ui.DynamicItem[discord.ui.Button[Any]],
               template=r"cb:p:(?P<page>\d{1,3}):" + _LANG + _TOPIC):
    def __init__(self, topic_id: str, page: int, language: str | None, label: str, *, disabled: bool = False) -> None:
        prefix = f"{language}:" if language else ""
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.primary, disabled=disabled,
                                           custom_id=_custom_id(f"cb:p:{page}:{prefix}", topic_id)))
        self.topic_id = topic_id
        self.page = page
        self.language = language

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> TurnPage:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(match["topic"], int(match["page"]), match["lang"], label or "")

    async def callback(self, interaction: discord.Interaction[ClaimBot]) -> None:  # type: ignore[override]
        await show_page(interaction, self.topic_id, self.page, self.language)


class ShowOriginal(discord.ui.DynamicItem[discord.ui.Button[Any]],
                   template=r"cb:o:" + _LANG + _TOPIC):
    """Under a translated answer: the claims as their curators wrote them, to the member alone."""

    def __init__(self, topic_id: str, language: str | None, label: str = "\u2026") -> None:
        prefix = f"{language}:" if language else ""
        super().__init__(discord.ui.Button(label=_label(label), style=discord.ButtonStyle.secondary,
                                           custom_id=_custom_id(f"cb:o:{prefix}", topic_id)))
        self.topic_id = topic_id
        self.language = language

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> ShowOriginal:
        return cls(match["topic"], match["lang"])

    async def callback(self, interaction: discord.Interaction[ClaimBot]) -> None:  # type: ignore[override]
        if interaction.guild_id is None:
            return
        said = speech(self.language) if self.language else speech_for(interaction)
        answer = await off_loop(interaction, interaction.client.service.answer_topic, str(interaction.guild_id),
                                self.topic_id, language=None, ephemeral=True)
        if answer is None:
            await reply_ephemeral(interaction, said.tr("That topic has been removed by the moderators."))
            return
        first, *rest = message_batches(answer_pages(answer, said))
        await respond(interaction, embeds=first, ephemeral=True)
        for batch in rest:  # a long answer: every page, none cut off
            await interaction.followup.send(embeds=batch, ephemeral=True)


def answer_view(answer: Answer, said: Speech, page: int = 0, pages: int = 1) -> Any:
    """The buttons for an answer: suggestions to pick, pages to turn, the original of a translation."""
    view = discord.ui.View(timeout=None)
    language = said.language
    if answer.decision == "suggest":
        for n, suggestion in enumerate(answer.suggestions[:5], 1):
            view.add_item(PickTopic(suggestion.key, language, f"{said.number(n)}. {suggestion.title}",
                                    key=question_key(answer.question)))
    elif answer.topic is not None:
        if pages > 1:
            # Two page ids never collide on one message: "previous" and "next" point at different pages.
            view.add_item(TurnPage(answer.topic.key, max(page - 1, 0), language, said.tr("\u25c0 Previous"),
                                   disabled=page == 0))
            view.add_item(TurnPage(answer.topic.key, min(page + 1, pages - 1), language, said.tr("Next \u25b6"),
                                   disabled=page >= pages - 1))
        if any(c.translated for c in answer.claims) or answer.topic.language != answer.original_language:
            view.add_item(ShowOriginal(answer.topic.key, language, said.tr("Show the original")))
    # MISSING, not None: discord.py's send_message rejects view=None.
    return view if view.children else discord.utils.MISSING


async def show_page(interaction: discord.Interaction[ClaimBot], topic_id: str, page: int,
                    language: str | None = None) -> None:
    """Replace the message the button sits on with page `page` of the topic's current answer."""
    if interaction.guild_id is None:
        return
    said = speech(language) if language else speech_for(interaction)
    service = interaction.client.service
    answer = await off_loop(interaction, service.answer_topic, str(interaction.guild_id), topic_id,
                            language=said.language, update=True)
    if answer is None:
        await reply_ephemeral(interaction, said.tr("That topic has been removed by the moderators."))
        return
    embeds = answer_pages(answer, said)
    page = min(page, len(embeds) - 1)
    await respond(interaction, update=True, embed=embeds[page], view=answer_view(answer, said, page, len(embeds)))
    message = interaction.message
    if message is not None:
        await after_reply(service.remember_posted_answer, str(interaction.guild_id),
                          f"{message.channel.id}/{message.id}", answer.topic.key if answer.topic else topic_id,
                          said.language)
