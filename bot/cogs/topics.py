"""Moderators add the frame claims hang in: `/event add` and `/topic add`."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from knowledge.curation import Curator
from knowledge.i18n import language_name
from knowledge.models import MAX_NOTE, MAX_SHORT

from ..checks import moderator_only
from ..client import ClaimBot
from ..i18n import LANGUAGE_CHOICES, speech_for
from ..render import plain
from ..respond import respond
from ..shared import actor_of, cached_knowledge, event_choices, guarded, moderator_asking


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
            await respond(interaction, content=speech_for(interaction).tr(
                "Added event `{event}`: {title}.", event=event.id, title=plain(event.title)), ephemeral=True)


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
            await respond(interaction, content=speech_for(interaction).tr(
                "Added topic `{topic}`: {title} — now `/claim add` each party's version.", topic=topic.id,
                title=plain(topic.title)), ephemeral=True)

    @app_commands.command(name="translate", description="Give a topic's title in another language")
    @app_commands.describe(topic="The topic", language="The language of the translation",
                           title="The question in that language",
                           aliases="Other ways members ask it in that language, separated by ;")
    @app_commands.choices(language=LANGUAGE_CHOICES)
    @moderator_only()
    async def translate(self, interaction: discord.Interaction[ClaimBot], topic: str, language: str,
                        title: app_commands.Range[str, 1, MAX_SHORT],
                        aliases: app_commands.Range[str, 0, MAX_NOTE] = "") -> None:
        translated = await guarded(interaction, self.curator.translate_topic, str(interaction.guild_id), topic,
                                   language, title, actor_of(interaction.user), aliases)
        if translated is not None:
            said = speech_for(interaction)
            await respond(interaction, content=said.tr(
                "`{topic}` in {language}: {title}. Members asking in {language} find it from now on.",
                topic=topic, language=language_name(language, said.language),
                title=plain(translated.translations[language].title)), ephemeral=True)

    @translate.autocomplete("topic")
    async def _topics(self, interaction: discord.Interaction[ClaimBot], current: str) -> list[app_commands.Choice[str]]:
        community = str(interaction.guild_id)
        kb = cached_knowledge(self.bot.service, community)
        if kb is None or not moderator_asking(interaction):
            return []
        wanted = current.casefold()
        return [app_commands.Choice(name=t.title[:100], value=t.id) for t in kb.topics.values()
                if wanted in t.title.casefold() or wanted in t.id][:25]

    @add.autocomplete("event")
    async def _events(self, interaction: discord.Interaction[ClaimBot], current: str) -> list[app_commands.Choice[str]]:
        return event_choices(self.bot.service, str(interaction.guild_id), current)


async def setup(bot: ClaimBot) -> None:
    await bot.add_cog(Events(bot))
    await bot.add_cog(Topics(bot))
