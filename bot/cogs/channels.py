"""Moderators set how the bot behaves in a channel: auto-answer, the event it is about, its language."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from knowledge.curation import CurationError, Curator
from knowledge.i18n import language_name
from knowledge.storage import SERVER_WIDE

from ..checks import moderator_only
from ..client import ClaimBot
from ..i18n import LANGUAGE_CHOICES, remember_languages, speech_for
from ..render import plain
from ..respond import off_loop, respond
from ..shared import clip, event_choices


# On the group: Discord reads who may see a command and where only from the top-level one.
@app_commands.guild_only()
@app_commands.default_permissions(manage_messages=True)
class Channels(commands.GroupCog, group_name="channel", group_description="How claimbot behaves in this channel"):
    def __init__(self, bot: ClaimBot) -> None:
        self.bot = bot
        self.service = bot.service
        super().__init__()

    @app_commands.command(name="autoanswer", description="Answer confident questions here without a mention")
    @app_commands.describe(enabled="On: answer questions asked in this channel; off: only /ask and mentions")
    @moderator_only()
    async def autoanswer(self, interaction: discord.Interaction[ClaimBot], enabled: bool) -> None:
        assert interaction.guild_id is not None and interaction.channel_id is not None
        community, channel = str(interaction.guild_id), str(interaction.channel_id)
        await off_loop(interaction, self.service.set_auto_answer, community, channel, enabled, ephemeral=True)
        tr = speech_for(interaction).tr
        text = (tr("claimbot will now answer questions here when it is confident.") if enabled
                else tr("claimbot will answer here only when asked."))
        await respond(interaction, content=text, ephemeral=True)

    @app_commands.command(name="event", description="Tie this channel to an event, so questions here are about it")
    @app_commands.describe(event="The event (leave empty to untie the channel)")
    @moderator_only()
    async def event(self, interaction: discord.Interaction[ClaimBot], event: str | None = None) -> None:
        assert interaction.guild_id is not None and interaction.channel_id is not None
        community, channel = str(interaction.guild_id), str(interaction.channel_id)

        def tie() -> str | CurationError:
            events = self.service.events(community)  # its own and the followed bases'
            if event is not None and event not in events:
                return Curator(self.service).missing(community, "event", event)  # (with the nearest id, if any)
            self.service.set_channel_event(community, channel, event)
            return events[event].title if event else ""

        title = await off_loop(interaction, tie, ephemeral=True)
        said = speech_for(interaction)
        tr = said.tr
        if isinstance(title, CurationError):
            text = clip(title.say(said))  # (a typed id can be long)
        elif title:
            text = tr("Questions here are now about **{event}**.", event=plain(title))
        else:
            text = tr("This channel is no longer tied to an event.")
        await respond(interaction, content=text, ephemeral=True)

    @app_commands.command(name="language", description="The language claimbot answers in here")
    @app_commands.describe(language="The language, or each member's own",
                           where="This channel only, or the whole server")
    @app_commands.choices(
        language=LANGUAGE_CHOICES
        + [app_commands.Choice(name=_("Each member's own language"), value="member")],
        where=[app_commands.Choice(name=_("This channel"), value="channel"),
               app_commands.Choice(name=_("The whole server"), value="server")],
    )
    @moderator_only()
    async def language(self, interaction: discord.Interaction[ClaimBot], language: str,
                       where: str = "channel") -> None:
        assert interaction.guild_id is not None and interaction.channel_id is not None
        community = str(interaction.guild_id)
        chosen = None if language == "member" else language
        target = SERVER_WIDE if where == "server" else str(interaction.channel_id)

        def set_language() -> tuple[str | None, str | None]:
            self.service.set_channel_language(community, target, chosen)
            settings = self.service.channel_settings(community, str(interaction.channel_id))
            return settings.language, settings.server_language

        channel_language, server_language = await off_loop(interaction, set_language, ephemeral=True)
        remember_languages(interaction.guild_id, interaction.channel_id, channel_language, server_language)
        # The confirmation is in the language just chosen, when there is one: a first sign it works.
        said = speech_for(interaction, chosen)
        if chosen is None:
            text = said.tr("claimbot now answers each member in their own Discord language, where it speaks it.")
        elif where == "server":
            text = said.tr("claimbot now answers in {language} across this server, unless a channel or a member "
                           "asks for another.", language=language_name(chosen, said.language))
        else:
            text = said.tr("claimbot now answers in {language} in this channel, unless a member asks for another.",
                           language=language_name(chosen, said.language))
        await respond(interaction, content=said.line(text), ephemeral=True)

    @event.autocomplete("event")
    async def _event_choices(self, interaction: discord.Interaction[ClaimBot], current: str
                             ) -> list[app_commands.Choice[str]]:
        return event_choices(self.service, str(interaction.guild_id), current)


async def setup(bot: ClaimBot) -> None:
    await bot.add_cog(Channels(bot))
