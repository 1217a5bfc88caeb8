"""Answers stay current: when a topic's claims change, answers posted about it are edited in place."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import discord

from .render import answer_pages
from .views import answer_view

if TYPE_CHECKING:
    from .client import ClaimBot

log = logging.getLogger(__name__)


async def refresh_posted_answers(bot: ClaimBot, community: str, topic_id: str, what_changed: str) -> int:
    """Edit every answer about `topic_id` posted in the last days; return how many were updated."""
    service = bot.service
    since = datetime.now(UTC) - timedelta(days=bot.settings.answer_update_days)
    refs = await asyncio.to_thread(service.store.posted_answers, community, topic_id, since=since)
    answer = await asyncio.to_thread(service.answer_topic, community, topic_id)
    if answer is None or not refs:
        return 0
    embeds = answer_pages(answer)
    first = embeds[0]
    note = f"\U0001f504 Updated {datetime.now(UTC):%Y-%m-%d}: {what_changed}"
    first.description = f"{note}\n{first.description or ''}"[:4096]
    updated = 0
    for ref in refs:
        channel_id, message_id = (int(part) for part in ref.split("/"))
        message = bot.get_partial_messageable(channel_id).get_partial_message(message_id)
        try:
            await message.edit(embed=first, view=answer_view(answer, 0, len(embeds)))
            updated += 1
        except discord.NotFound:
            # Deleted by someone since: nothing left to keep current.
            await asyncio.to_thread(service.store.forget_posted_answer, community, ref)
        except discord.Forbidden:
            log.warning("cannot edit answer %s in guild %s: missing permission", ref, community)
    return updated
