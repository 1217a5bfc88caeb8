"""Helpers the cogs share: running a domain call safely, and choices for autocomplete."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from knowledge.curation import CurationError
from knowledge.service import ClaimService
from knowledge.storage import StoreError

from .client import reply_ephemeral

T = TypeVar("T")


def actor_of(user: discord.abc.User) -> str:
    """Who the history says made a change. Moderators are recorded by Discord id: names change, ids don't."""
    return f"discord:{user.id}"


async def guarded(interaction: discord.Interaction[Any], func: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Run a domain call off the event loop; what the moderator must fix becomes an ephemeral
    reply (then None is returned and the interaction has been answered)."""
    try:
        return await asyncio.to_thread(func, *args, **kwargs)
    except (CurationError, StoreError) as exc:
        await reply_ephemeral(interaction, f"Not saved: {exc}")
        return None


def event_choices(service: ClaimService, community: str, current: str) -> list[app_commands.Choice[str]]:
    """Events for an autocomplete box, most recent first."""
    wanted = current.casefold()
    events = sorted(service.knowledge(community).events.values(), key=lambda e: e.date, reverse=True)
    return [app_commands.Choice(name=e.title[:100], value=e.id) for e in events
            if wanted in e.title.casefold() or wanted in e.id][:25]
