"""Buttons under answers: "did you mean …" and page turning.

Both are `DynamicItem`s whose state (the topic id, the page) lives in the custom_id, so
they keep working after a restart and re-render from the current claims.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

import discord

from knowledge.answers import Answer

from .render import answer_pages
from .respond import off_loop, reply_ephemeral, respond

if TYPE_CHECKING:
    from .client import ClaimBot

MAX_LABEL = 80


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "\u2026"


class PickTopic(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"cb:t:(?P<topic>[a-z0-9._-]{1,80})"):
    """A "did you mean" choice: replaces the message with that topic's answer."""

    def __init__(self, topic_id: str, label: str = "Show") -> None:
        super().__init__(discord.ui.Button(label=_label(label), style=discord.ButtonStyle.secondary,
                                           custom_id=f"cb:t:{topic_id}"))
        self.topic_id = topic_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> PickTopic:
        return cls(match["topic"])

    async def callback(self, interaction: discord.Interaction[ClaimBot]) -> None:  # type: ignore[override]
        await show_page(interaction, self.topic_id, 0)


class TurnPage(discord.ui.DynamicItem[discord.ui.Button[Any]],
               template=r"cb:p:(?P<page>\d{1,3}):(?P<topic>[a-z0-9._-]{1,80})"):
    def __init__(self, topic_id: str, page: int, label: str, *, disabled: bool = False) -> None:
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.primary, disabled=disabled,
                                           custom_id=f"cb:p:{page}:{topic_id}"))
        self.topic_id = topic_id
        self.page = page

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> TurnPage:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(match["topic"], int(match["page"]), label or "")

    async def callback(self, interaction: discord.Interaction[ClaimBot]) -> None:  # type: ignore[override]
        await show_page(interaction, self.topic_id, self.page)


def answer_view(answer: Answer, page: int = 0, pages: int = 1) -> Any:
    """The buttons for an answer: suggestions to pick, or pages to turn."""
    view = discord.ui.View(timeout=None)
    if answer.decision == "suggest":
        for n, suggestion in enumerate(answer.suggestions[:5], 1):
            view.add_item(PickTopic(suggestion.id, f"{n}. {suggestion.title}"))
    elif answer.topic is not None and pages > 1:
        # Two page ids never collide on one message: "previous" and "next" point at different pages.
        view.add_item(TurnPage(answer.topic.id, max(page - 1, 0), "\u25c0 Previous", disabled=page == 0))
        view.add_item(TurnPage(answer.topic.id, min(page + 1, pages - 1), "Next \u25b6", disabled=page >= pages - 1))
    # MISSING, not None: discord.py's send_message rejects view=None.
    return view if view.children else discord.utils.MISSING


async def show_page(interaction: discord.Interaction[ClaimBot], topic_id: str, page: int) -> None:
    """Replace the message the button sits on with page `page` of the topic's current answer."""
    if interaction.guild_id is None:
        return
    service = interaction.client.service
    answer = await off_loop(interaction, service.answer_topic, str(interaction.guild_id), topic_id, update=True)
    if answer is None:
        await reply_ephemeral(interaction, "That topic has been removed by the moderators.")
        return
    embeds = answer_pages(answer)
    page = min(page, len(embeds) - 1)
    await respond(interaction, update=True, embed=embeds[page], view=answer_view(answer, page, len(embeds)))
    message = interaction.message
    if message is not None:
        await asyncio.to_thread(service.remember_posted_answer, str(interaction.guild_id),
                                f"{message.channel.id}/{message.id}", topic_id)
