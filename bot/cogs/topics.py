"""Moderators add the frame claims hang in: `/event add` and `/topic add`."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from knowledge.curation import Curator
from knowledge.models import MAX_SHORT

from ..checks import moderator_only
from ..client import ClaimBot
from ..render import plain
from ..respond import respond
from ..shared import actor_of, event_choices, guarded


@app_commands.guild_only()
@app_commands.default_permissions(manage_messages=True)
class Events(commands.GroupCog, group_name="event", group_description="Events the claim base covers"):
    def __init__(self, bot: ClaimBot) -> None:
        self.bot = bot
        self.curator = Curator(bot.service)
        super().__init__()

    @app_commands.command(name="add", description="Add an event (what happened, when, where)")
    @app_commands.describe(title="e.g. Belgorod border incursion (May 2023)", date="YYYY-MM-DD",
                           location="e.g. Belgorod region, Russia")
    @moderator_only()
    async def add(self, interaction: discord.Interaction[ClaimBot], title: app_commands.Range[str, 1, MAX_SHORT],
                  date: str, location: app_commands.Range[str, 1, MAX_SHORT] | None = None) -> None:
        event = await guarded(interaction, self.curator.add_event, str(interaction.guild_id), title, date,
                               actor_of(interaction.user), location or "")
        if event is not None:
            await respond(interaction, content=f"Added event `{event.id}`: "
                                               f"{plain(event.title)}.", ephemeral=True)


@app_commands.guild_only()
@app_commands.default_permissions(manage_messages=True)
class Topics(commands.GroupCog, group_name="topic", group_description="Contested questions about an event"):
    def __init__(self, bot: ClaimBot) -> None:
        self.bot = bot
        self.curator = Curator(bot.service)
        super().__init__()

    @app_commands.command(name="add", description="Add a contested question to an event")
    @app_commands.describe(event="The event", title="The question, e.g. How many people were killed?",
                           aliases="Other ways members ask it, separated by ;")
    @moderator_only()
    async def add(self, interaction: discord.Interaction[ClaimBot], event: str,
                  title: app_commands.Range[str, 1, MAX_SHORT], aliases: str = "") -> None:
        topic = await guarded(interaction, self.curator.add_topic, str(interaction.guild_id), event, title,
                               actor_of(interaction.user), aliases)
        if topic is not None:
            await respond(interaction, content=f"Added topic `{topic.id}`: {plain(topic.title)}"
                                               " — now `/claim add` each party's version.", ephemeral=True)

    @add.autocomplete("event")
    async def _events(self, interaction: discord.Interaction[ClaimBot], current: str) -> list[app_commands.Choice[str]]:
        return event_choices(self.bot.service, str(interaction.guild_id), current)


async def setup(bot: ClaimBot) -> None:
    await bot.add_cog(Events(bot))
    await bot.add_cog(Topics(bot))
