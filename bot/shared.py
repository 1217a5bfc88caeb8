"""Helpers the cogs share: running a domain call safely and in time, and autocomplete."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from knowledge.base import KnowledgeBase
from knowledge.errors import ClaimbotError
from knowledge.i18n import N_
from knowledge.service import ClaimService

from .checks import NotModerator, is_moderator
from .i18n import speech_for
from .respond import age, off_loop, reply_ephemeral

T = TypeVar("T")
log = logging.getLogger(__name__)

# Discord drops an autocomplete answer after 3 s: a lookup gets this long, then none.
AUTOCOMPLETE_SECONDS = 1.5
MESSAGE_LIMIT = 2000  # characters in one Discord message


def clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Text that fits one message, marked where it was cut (a typed id, a list, can be long)."""
    return text if len(text) <= limit else text[: limit - 30] + "\n…"


async def within(seconds: float, func: Callable[..., list[T]], *args: Any, **kwargs: Any) -> list[T]:
    """Run a lookup for an autocomplete box off the loop; an empty list if it is slow."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(func, *args, **kwargs), seconds)
    except (TimeoutError, ClaimbotError):
        return []


# A form must be the first response to its command (it cannot follow a deferral), within
# Discord's 3 s of the command's creation: the lookup it needs gets what is left of this.
FORM_BY = 2.5


class FormLookupTooSlow(ClaimbotError):
    """The lookup a form needed did not finish while Discord still waited for the form."""


async def before_form(interaction: discord.Interaction[Any], func: Callable[..., T], *args: Any) -> T:
    """Run the lookup a form depends on, off the loop, in what remains of Discord's deadline
    (counted from the command's creation: queueing and the gateway count against it)."""
    # (at least a second, at most two: the age comes from this host's clock against Discord's,
    # and a clock a few seconds fast must not turn every form into "busy")
    budget = min(max(FORM_BY - age(interaction), 1.0), 2.0)
    try:
        return await asyncio.wait_for(asyncio.to_thread(func, *args), budget)
    except TimeoutError:
        raise FormLookupTooSlow(N_("the claim base is busy right now; run the command again in a moment")) from None


def actor_of(user: discord.abc.User) -> str:
    """Who the history says made a change. Moderators are recorded by Discord id: names change, ids don't."""
    return f"discord:{user.id}"


async def guarded(interaction: discord.Interaction[Any], func: Callable[..., T], *args: Any,
                  ephemeral: bool = True, **kwargs: Any) -> T | None:
    """Run a domain call off the event loop, in time for Discord's deadline; what the
    moderator must fix becomes an ephemeral reply (then None is returned and the
    interaction has been answered)."""
    try:
        return await off_loop(interaction, func, *args, ephemeral=ephemeral, **kwargs)
    except ClaimbotError as exc:
        said = speech_for(interaction)
        await reply_ephemeral(interaction, said.tr("Not saved: {reason}", reason=exc.say(said)))
        return None


_refreshing: set[str] = set()


def cached_knowledge(service: ClaimService, community: str) -> KnowledgeBase | None:
    """The community's claim base for autocomplete: what is in memory, never waiting for
    the database or a lock (Discord drops autocomplete answers after 3 s). Meanwhile a
    worker thread brings the memory up to date, so the next keystroke sees any change;
    a community not loaded yet gets empty suggestions until then."""
    if community not in _refreshing:
        _refreshing.add(community)
        task = asyncio.get_running_loop().run_in_executor(None, service.knowledge, community)
        task.add_done_callback(lambda future: _refreshed(community, future))
    return service.cached_knowledge(community)


def _refreshed(community: str, future: asyncio.Future[Any]) -> None:
    _refreshing.discard(community)
    if not future.cancelled() and future.exception() is not None:
        log.warning("bringing the claim base of %s up to date for autocomplete failed: %s", community,
                    future.exception())


def moderator_asking(interaction: discord.Interaction[Any]) -> bool:
    """Autocomplete runs no command checks: a moderator command's suggestions (removed
    claims, say) must not be shown to members who merely open the command."""
    return is_moderator(interaction.user, interaction.permissions, interaction.client.settings.moderator_role)


async def turned_away(interaction: discord.Interaction[Any]) -> bool:
    """A button or a form that comes back after its command was checked is checked again, at
    the moment of the action: True, and the person told why, when they are no moderator."""
    if moderator_asking(interaction):
        return False
    await reply_ephemeral(interaction, NotModerator(interaction.client.settings.moderator_role).say(
        speech_for(interaction)))
    return True


def event_choices(service: ClaimService, community: str, current: str) -> list[app_commands.Choice[str]]:
    """Events for an autocomplete box (the community's own and its followed bases'), most recent first."""
    if cached_knowledge(service, community) is None:
        return []
    found: dict[str, Any] = {}
    for _base, kb in service.cached_sources(community):
        for event_id, event in kb.events.items():
            found.setdefault(event_id, event)
    wanted = current.casefold()
    events = sorted(found.values(), key=lambda e: e.date, reverse=True)
    return [app_commands.Choice(name=e.title[:100], value=e.id) for e in events
            if wanted in e.title.casefold() or wanted in e.id][:25]
