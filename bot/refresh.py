"""Answers stay current: when a topic's claims change, answers posted about it are edited in place."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import discord

from knowledge.i18n import speech
from knowledge.refresh import Refresh, answers_to_refresh, followers_to_refresh

from .render import answer_pages
from .views import answer_view

if TYPE_CHECKING:
    from .client import ClaimBot

log = logging.getLogger(__name__)


async def refresh_posted_answers(bot: ClaimBot, community: str, topic_id: str, what_changed: str) -> int:
    """Edit every answer about `topic_id` posted in the last days — in this server, and in
    the servers that follow its published claims; return how many were updated."""
    service = bot.service
    within = timedelta(days=bot.settings.answer_update_days)
    own = await asyncio.to_thread(answers_to_refresh, service, community, topic_id, what_changed, within=within)
    plans = {community: own} if own is not None else {}
    # A follower's message is edited through the REST API like any other: it needs no
    # gateway connection to that server, so whichever process holds it, it is kept current.
    plans.update(await asyncio.to_thread(followers_to_refresh, service, community, topic_id, what_changed,
                                         within=within))
    updated = 0
    for where, plan in plans.items():
        updated += await _edit(bot, where, plan)
    return updated


async def _edit(bot: ClaimBot, community: str, plan: Refresh) -> int:
    rendered: dict[str, tuple[discord.Embed, Any]] = {}
    for language, answer in plan.answers.items():
        said = speech(language)
        embeds = answer_pages(answer, said, note=plan.note(said))
        rendered[language] = embeds[0], answer_view(answer, said, 0, len(embeds))
    updated = 0
    for ref, language in plan.refs:
        channel_id, message_id = (int(part) for part in ref.split("/"))
        message = bot.get_partial_messageable(channel_id).get_partial_message(message_id)
        embed, view = rendered[language]
        try:
            await message.edit(embed=embed, view=view)
            updated += 1
        except discord.NotFound:
            # Deleted by someone since: nothing left to keep current.
            await asyncio.to_thread(bot.service.forget_posted_answer, community, ref)
        except discord.Forbidden:
            log.warning("cannot edit answer %s in guild %s: missing permission", ref, community)
        except discord.HTTPException as exc:
            # (an archived thread, Discord having a bad moment): this one stays as it was,
            # the others — in this server and in every follower — are still brought up to date.
            log.warning("cannot edit answer %s in guild %s: %s", ref, community, exc)
    return updated
