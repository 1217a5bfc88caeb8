"""Members ask: `/ask`, an @mention, or a plain question in an auto-answer channel. One answer."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from knowledge.answers import Answer, QuestionError
from knowledge.i18n import Speech
from knowledge.storage import ChannelSettings

from ..client import ClaimBot
from ..i18n import LANGUAGE_CHOICES, choose, remember_languages, speech_for
from ..render import answer_pages
from ..respond import after_reply, domain_work, off_loop, reply_ephemeral, respond
from ..views import answer_view

log = logging.getLogger(__name__)

MENTION = re.compile(r"<@!?(\d+)>")


class Asking(commands.Cog):
    def __init__(self, bot: ClaimBot) -> None:
        self.bot = bot
        self.service = bot.service

    def _settings(self, guild_id: int, channel_id: int) -> ChannelSettings:
        """Blocking: the channel's settings, its languages remembered for replies that can't wait."""
        settings = self.service.channel_settings(str(guild_id), str(channel_id))
        remember_languages(guild_id, channel_id, settings.language, settings.server_language)
        return settings

    def _ask(self, guild_id: int, channel_id: int, question: str, *, asked: str | None = None,
             client: discord.Locale | None = None, guild: discord.Locale | None = None,
             settings: ChannelSettings | None = None) -> tuple[Answer, Speech]:
        """Blocking: run it off the event loop. The answer, and the language it is in."""
        settings = settings or self._settings(guild_id, channel_id)
        said = choose(asked=asked, client=client, channel=settings.language, server=settings.server_language,
                      guild=guild)
        answer = self.service.ask(str(guild_id), question, event_id=settings.event_id, channel=str(channel_id),
                                  language=said.language)
        return answer, said

    def _auto_answer(self, guild_id: int, channel_id: int, message: str, *, guild: discord.Locale | None,
                     settings: ChannelSettings) -> tuple[Answer | None, Speech]:
        """Blocking: a message in an auto-answer channel, answered only when the answer is sure."""
        said = choose(channel=settings.language, server=settings.server_language, guild=guild)
        answer = self.service.auto_answer(str(guild_id), message, event_id=settings.event_id,
                                          channel=str(channel_id), language=said.language,
                                          min_confidence=self.bot.settings.auto_answer_min_confidence)
        return answer, said

    async def _remember(self, guild_id: int, channel_id: int, message_id: int | None, answer: Answer) -> None:
        # So that a later change to these claims can update this message in place (in its language).
        if answer.answered and answer.topic is not None and message_id is not None:
            await after_reply(self.service.remember_posted_answer, str(guild_id), f"{channel_id}/{message_id}",
                              answer.topic.key, answer.language)

    @app_commands.command(name="ask", description="Every party's version of a contested fact, with sources")
    @app_commands.describe(question="What do you want to know? e.g. how many casualties?",
                           language="The language of the answer (default: yours, or this channel's)")
    @app_commands.choices(language=LANGUAGE_CHOICES)
    @app_commands.guild_only()
    @app_commands.checks.dynamic_cooldown(
        lambda i: app_commands.Cooldown(1, i.client.settings.ask_cooldown_seconds)
        if i.client.settings.ask_cooldown_seconds > 0 else None,
        key=lambda i: i.user.id,
    )
    async def ask(self, interaction: discord.Interaction[ClaimBot], question: str,
                  language: str | None = None) -> None:
        assert interaction.guild_id is not None and interaction.channel_id is not None
        try:
            answer, said = await off_loop(interaction, self._ask, interaction.guild_id, interaction.channel_id,
                                          question, asked=language, client=interaction.locale,
                                          guild=interaction.guild_locale)
        except QuestionError as exc:
            await reply_ephemeral(interaction, exc.say(speech_for(interaction, language)))
            return
        embeds = answer_pages(answer, said)
        message_id = await respond(interaction, embed=embeds[0],
                                   view=answer_view(answer, said, 0, len(embeds)))
        await self._remember(interaction.guild_id, interaction.channel_id, message_id, answer)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.guild is None or self.bot.user is None:
            return
        # Named in the text, not merely replied to: a reply pings the replied-to author by
        # default, and "thanks!" under an answer is no question.
        mentioned = any(int(uid) == self.bot.user.id for uid in MENTION.findall(message.content))
        # Read once: it says whether to answer at all, about which event, and in which language.
        # (a quick read, for every message in every channel: kept out of the domain threads'
        # queue, which it would fill with chat and so defer every member's command)
        settings = await asyncio.to_thread(self._settings, message.guild.id, message.channel.id)
        guild_locale = message.guild.preferred_locale
        if mentioned:
            question = MENTION.sub(" ", message.content)
            try:
                answer, said = await domain_work(self._ask, message.guild.id, message.channel.id, question,
                                                 guild=guild_locale, settings=settings)
            except QuestionError as exc:
                said = choose(channel=settings.language, server=settings.server_language, guild=guild_locale)
                await self._reply(message, content=exc.say(said))
                return
        else:
            if not settings.auto_answer:
                return
            try:
                sure, said = await domain_work(self._auto_answer, message.guild.id, message.channel.id,
                                               message.content, guild=guild_locale, settings=settings)
            except QuestionError:
                return  # not a question: stay quiet in a conversation
            if sure is None:
                return  # only confident answers interrupt a conversation
            answer = sure
        embeds = answer_pages(answer, said)
        sent = await self._reply(message, embed=embeds[0], view=answer_view(answer, said, 0, len(embeds)))
        if sent is not None:
            await self._remember(message.guild.id, sent.channel.id, sent.id, answer)

    async def _reply(self, message: discord.Message, **kwargs: Any) -> discord.Message | None:
        sent: discord.Message
        try:
            sent = await message.reply(mention_author=False, **kwargs)
            return sent
        except discord.Forbidden:
            pass  # a reply also needs Read Message History: a plain message may still go through
        try:
            sent = await message.channel.send(**kwargs)
            return sent
        except discord.Forbidden:
            log.warning("missing permission to answer in channel %s of guild %s (needs Send Messages and Embed "
                        "Links; Read Message History to reply)", message.channel.id,
                        message.guild.id if message.guild else None)
            return None


async def setup(bot: ClaimBot) -> None:
    await bot.add_cog(Asking(bot))
