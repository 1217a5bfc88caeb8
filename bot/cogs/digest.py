"""Scheduled summary posts: `/digest channel|preview|now|off`, and the loop that posts them."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import datetime

import discord
from discord import app_commands
from discord.app_commands import Choice
from discord.app_commands import locale_str as _
from discord.ext import commands, tasks

from knowledge.digest import (
    DigestConfig,
    DigestContent,
    DigestError,
    Schedule,
    claim_due,
    digest_content,
    load_config,
    mark_covered,
    save_config,
    turn_off,
)
from knowledge.i18n import Speech

from ..checks import moderator_only
from ..client import ClaimBot
from ..i18n import choose, speech_for
from ..render import digest_embeds, message_batches
from ..respond import defer, off_loop, reply_ephemeral, respond

log = logging.getLogger(__name__)


class DigestPost:
    """One digest, ready to send: the same object makes the preview and the post."""

    def __init__(self, embeds: list[discord.Embed], chart: bytes | None, empty: bool) -> None:
        self.embeds, self.chart, self.empty = embeds, chart, empty

    @classmethod
    def of(cls, content: DigestContent, said: Speech) -> DigestPost:
        if content.empty:
            text = said.tr("No changes to the claim base since {date}.", date=said.date(content.digest.since.date()))
            return cls([discord.Embed(description=said.line(text))], None, True)
        embeds = digest_embeds(content.digest, said.tr("Claim base digest"), said)
        if content.chart:
            embeds[-1].set_image(url="attachment://digest.png")
        return cls(embeds, content.chart, False)

    def files(self) -> list[discord.File]:
        return [discord.File(io.BytesIO(self.chart), "digest.png")] if self.chart else []

    def messages(self) -> list[tuple[list[discord.Embed], list[discord.File]]]:
        """The digest as messages Discord accepts; the chart is the last embed's image, so
        its file goes with the last message."""
        batches = message_batches(self.embeds)
        return [(batch, self.files() if n == len(batches) - 1 else []) for n, batch in enumerate(batches)]


@app_commands.guild_only()
@app_commands.default_permissions(manage_messages=True)
class Digests(commands.GroupCog, group_name="digest", group_description="Scheduled summaries of what changed"):
    def __init__(self, bot: ClaimBot) -> None:
        self.bot = bot
        self.service = bot.service
        self.clock = bot.clock  # the one clock: tests move it by hand instead of waiting
        super().__init__()

    async def cog_load(self) -> None:
        self.scheduler.start()

    async def cog_unload(self) -> None:
        self.scheduler.cancel()

    # --- the schedule ----------------------------------------------------------------

    @tasks.loop(minutes=1)
    async def scheduler(self) -> None:
        try:
            await self.run_due()
        except Exception:  # noqa: BLE001 - an exception would end the loop: no digest would ever go out again
            log.exception("looking for due digests failed; trying again in a minute")

    @scheduler.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def run_due(self) -> int:
        """Post every digest that is due; one server's failure never stops the others."""
        now = self.clock()
        posted = 0
        # Each returned slot is already claimed: a restart or another process never posts it again.
        for config in await asyncio.to_thread(claim_due, self.service, now, self._serves):
            try:
                if await self._post(config, now):
                    posted += 1
            except (discord.NotFound, discord.Forbidden) as exc:
                log.warning("digest for guild %s skipped: channel %s is %s", config.community, config.channel,
                            "gone" if isinstance(exc, discord.NotFound) else "forbidden to the bot")
            except discord.HTTPException as exc:
                log.warning("digest for guild %s failed: %s", config.community, exc)
            except Exception:  # noqa: BLE001 - its data, its chart, the store: the next server's digest still goes out
                log.exception("digest for guild %s failed", config.community)
        return posted

    def _serves(self, community: str) -> bool:
        # Only the servers on this process's shards: another process posts the others'.
        return community.isdigit() and self.bot.get_guild(int(community)) is not None

    def make_post(self, config: DigestConfig, now: datetime) -> DigestPost:
        """Blocking (reads the claim base, draws the chart): run it off the event loop.
        In the digest channel's language: its own, the server's, or the server's Discord one."""
        settings = self.service.channel_settings(config.community, config.channel)
        guild = self.bot.get_guild(int(config.community)) if config.community.isdigit() else None
        said = choose(channel=settings.language, server=settings.server_language,
                      guild=guild.preferred_locale if guild else None)
        return DigestPost.of(digest_content(self.service, config, now, said), said)

    async def _post(self, config: DigestConfig, now: datetime) -> bool:
        post = await asyncio.to_thread(self.make_post, config, now)
        if post.empty and not config.post_when_empty:
            return False
        channel = self.bot.get_partial_messageable(int(config.channel))
        for embeds, files in post.messages():
            await channel.send(embeds=embeds, files=files)
        return True

    # --- commands ----------------------------------------------------------------------

    @app_commands.command(name="channel", description="Post the digest in a channel, on a schedule")
    @app_commands.describe(channel="Where to post", cadence="How often", at="Time of day, HH:MM",
                           timezone="IANA time zone, e.g. Europe/Kyiv", weekday="For weekly digests, e.g. monday",
                           when_empty="With nothing new: post a one-line 'no changes', or nothing")
    @moderator_only()
    @app_commands.choices(cadence=[Choice(name=_("daily"), value="daily"), Choice(name=_("weekly"), value="weekly")],
                          when_empty=[Choice(name=_("post no changes"), value="post no changes"),
                                      Choice(name=_("post nothing"), value="post nothing")])
    async def channel(self, interaction: discord.Interaction[ClaimBot], channel: discord.TextChannel,
                      cadence: str = "daily", at: str = "09:00", timezone: str = "UTC",
                      weekday: str | None = None, when_empty: str = "post no changes") -> None:
        said = speech_for(interaction)
        try:
            schedule = Schedule.parse(cadence, at, timezone, weekday)
        except DigestError as exc:
            await reply_ephemeral(interaction, said.tr("Not saved: {reason}", reason=exc.say(said)))
            return
        await off_loop(interaction, save_config, self.service, str(interaction.guild_id), str(channel.id), schedule,
                       when_empty == "post no changes", ephemeral=True)
        await respond(interaction, content=said.tr("The digest will be posted in {channel} {schedule}.",
                                                   channel=channel.mention, schedule=schedule.describe(said)),
                      ephemeral=True)

    @app_commands.command(name="preview", description="Show the next digest, only to you")
    @moderator_only()
    async def preview(self, interaction: discord.Interaction[ClaimBot]) -> None:
        config = await self._config(interaction)
        if config is None:
            return
        await defer(interaction, ephemeral=True)  # the chart takes a moment to draw
        post = await off_loop(interaction, self.make_post, config, self.clock(), ephemeral=True)
        (first, first_files), *rest = post.messages()
        await respond(interaction, embeds=first, files=first_files, ephemeral=True)
        for embeds, files in rest:
            await interaction.followup.send(embeds=embeds, files=files, ephemeral=True)

    @app_commands.command(name="now", description="Post a digest now")
    @moderator_only()
    async def now(self, interaction: discord.Interaction[ClaimBot]) -> None:
        config = await self._config(interaction)
        if config is None:
            return
        await defer(interaction, ephemeral=True)
        now = self.clock()
        try:
            posted = await self._post(config, now)
        except (discord.NotFound, discord.Forbidden):
            await respond(interaction, content=speech_for(interaction).tr(
                "I can't post in the digest channel; check that it exists and that I may send messages and attach "
                "files there."), ephemeral=True)
            return
        if not posted:
            await respond(interaction, content=speech_for(interaction).tr(
                "Nothing changed since the last digest, and this server's digest posts nothing then."),
                ephemeral=True)
            return
        # The next scheduled digest starts here instead of repeating this one.
        await asyncio.to_thread(mark_covered, self.service, config, now)
        await respond(interaction, content=speech_for(interaction).tr("Digest posted."), ephemeral=True)

    @app_commands.command(name="off", description="Stop posting digests")
    @moderator_only()
    async def off(self, interaction: discord.Interaction[ClaimBot]) -> None:
        removed = await off_loop(interaction, turn_off, self.service, str(interaction.guild_id), ephemeral=True)
        tr = speech_for(interaction).tr
        await respond(interaction, content=tr("Digests are off.") if removed else tr("Digests were not on."),
                      ephemeral=True)

    async def _config(self, interaction: discord.Interaction[ClaimBot]) -> DigestConfig | None:
        config = await off_loop(interaction, load_config, self.service, str(interaction.guild_id), ephemeral=True)
        if config is None:
            await reply_ephemeral(interaction, speech_for(interaction).tr(
                "No digest is set up here yet: use `/digest channel` first."))
        return config


async def setup(bot: ClaimBot) -> None:
    await bot.add_cog(Digests(bot))
