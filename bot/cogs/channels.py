"""Moderators set how the bot behaves in a channel: auto-answer, and the event it is about."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from ..checks import moderator_only
from ..client import ClaimBot
from ..render import plain
from ..respond import off_loop, respond
from ..shared import event_choices


class Channels(commands.GroupCog, group_name="channel", group_description="How claimbot behaves in this channel"):
    def __init__(self, bot: ClaimBot) -> None:
        self.bot = bot
        self.service = bot.service
        super().__init__()

    @app_commands.command(name="autoanswer", description="Answer confident questions here without a mention")
    @app_commands.describe(enabled="On: answer questions asked in this channel; off: only /ask and mentions")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_messages=True)
    @moderator_only()
    async def autoanswer(self, interaction: discord.Interaction[ClaimBot], enabled: bool) -> None:
        assert interaction.guild_id is not None and interaction.channel_id is not None
        community, channel = str(interaction.guild_id), str(interaction.channel_id)
        await off_loop(interaction, self.service.set_auto_answer, community, channel, enabled, ephemeral=True)
        state = "will now answer questions here when it is confident" if enabled else "will answer here only when asked"
        await respond(interaction, content=f"claimbot {state}.", ephemeral=True)

    @app_commands.command(name="event", description="Tie this channel to an event, so questions here are about it")
    @app_commands.describe(event="The event (leave empty to untie the channel)")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_messages=True)
    @moderator_only()
    async def event(self, interaction: discord.Interaction[ClaimBot], event: str | None = None) -> None:
        assert interaction.guild_id is not None and interaction.channel_id is not None
        community, channel = str(interaction.guild_id), str(interaction.channel_id)

        def tie() -> str | None:
            events = self.service.knowledge(community).events
            if event is not None and event not in events:
                return None
            self.service.set_channel_event(community, channel, event)
            return events[event].title if event else ""

        title = await off_loop(interaction, tie, ephemeral=True)
        if title is None:
            text = f"There is no event `{event}`; pick one from the list as you type."
        elif title:
            text = f"Questions here are now about **{plain(title)}**."
        else:
            text = "This channel is no longer tied to an event."
        await respond(interaction, content=text, ephemeral=True)

    @event.autocomplete("event")
    async def _event_choices(self, interaction: discord.Interaction[ClaimBot], current: str
                             ) -> list[app_commands.Choice[str]]:
        return event_choices(self.service, str(interaction.guild_id), current)


async def setup(bot: ClaimBot) -> None:
    await bot.add_cog(Channels(bot))
