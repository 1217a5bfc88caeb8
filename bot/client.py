"""The bot: a discord.py `commands.Bot` holding the claim service, with safe defaults —
or, when the settings name shards, an `AutoShardedBot` running those shards."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from knowledge.errors import ClaimbotError
from knowledge.service import ClaimService
from knowledge.store import StoreClosedError

from .checks import NotModerator
from .i18n import CatalogTranslator, speech_for
from .respond import reply_ephemeral
from .settings import BotSettings
from .views import PickTopic, ShowOriginal, TurnPage

log = logging.getLogger(__name__)
# The names discord.py gives the tasks that run slash commands, modals and button callbacks.
_INTERACTION_TASKS = ("CommandTree-invoker", "discord-ui-")

EXTENSIONS = ("bot.cogs.asking", "bot.cogs.channels", "bot.cogs.curation", "bot.cogs.topics", "bot.cogs.digest",
              "bot.cogs.bases")


class UserFacingError(app_commands.AppCommandError):
    """An error whose message is written for the member who triggered it."""


class ClaimTree(app_commands.CommandTree["ClaimBot"]):
    async def on_error(self, interaction: discord.Interaction[ClaimBot], error: app_commands.AppCommandError) -> None:
        said = speech_for(interaction)
        original = getattr(error, "original", None)
        if isinstance(error, app_commands.CommandOnCooldown):
            text = said.tr("Easy there — you can ask again in {seconds} s.", seconds=round(error.retry_after))
        elif isinstance(error, NotModerator):
            text = error.say(said)
        elif isinstance(error, (app_commands.CheckFailure, UserFacingError)):
            text = str(error)
        elif isinstance(original, ClaimbotError):
            # The domain's own errors are written for the person who caused them.
            text = original.say(said)
        elif isinstance(error, app_commands.TransformerError):
            text = said.tr("I couldn't read the value {value}.", value=repr(error.value))
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("command /%s failed in guild %s", command, interaction.guild_id,
                      exc_info=getattr(error, "original", error))
            text = said.tr("Sorry, something went wrong on my side. The error was logged; please try again later.")
        try:
            await reply_ephemeral(interaction, text)
        except discord.HTTPException as exc:  # the interaction expired meanwhile: nobody left to tell
            log.warning("could not tell the member about a failed /%s: %s",
                        interaction.command.qualified_name if interaction.command else "?", exc)


def intents() -> discord.Intents:
    # Guilds for the server list, guild messages for mentions and auto-answer, and
    # message content because both read the question out of the message text.
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.message_content = True
    return wanted


class ClaimBot(commands.Bot):
    def __init__(self, service: ClaimService, settings: BotSettings, **options: Any) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            # Nothing the bot says can ping: a claim quoting "@everyone" stays text.
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=ClaimTree,
            help_command=None,
            **options,
        )
        self.service = service
        self.settings = settings
        # The one clock (the service's): schedules, "as of" dates and expiry all read it,
        # so tests pin a date and the bot behaves the same at any hour.
        self.clock = service.clock

    async def setup_hook(self) -> None:
        self.forget_old_questions.start()
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        self.add_dynamic_items(PickTopic, TurnPage, ShowOriginal)
        # Commands in every interface language Discord's clients offer, from the catalogs.
        await self.tree.set_translator(CatalogTranslator())
        if self.settings.dev_guild_id is not None:
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
            log.info("slash commands synced to development server %s", self.settings.dev_guild_id)
        else:
            await self.tree.sync()
            log.info("slash commands synced globally (may take up to an hour to appear)")

    @tasks.loop(hours=24)
    async def forget_old_questions(self) -> None:
        # Unanswered questions are kept for moderators only as long as the setting says.
        removed = await asyncio.to_thread(self.service.forget_old_questions, self.clock())
        if removed:
            log.info("forgot %d question(s) older than %d days", removed, self.settings.question_retention_days)

    async def close(self) -> None:
        self.forget_old_questions.cancel()
        await self._finish_interactions()
        await super().close()

    async def _finish_interactions(self, within: float = 5.0) -> None:
        """Let commands and buttons in progress finish (a moderator's change is saved, then
        the answers it touches are updated) before the connection and the store close."""
        running = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()
                   and t.get_name().startswith(_INTERACTION_TASKS)]
        if running:
            _, late = await asyncio.wait(running, timeout=within)
            if late:
                log.warning("%d interaction(s) still running at shutdown were stopped", len(late))

    async def on_message(self, message: discord.Message, /) -> None:
        # No prefix commands: everything is a slash command, and the asking cog reads
        # mentions itself. Without this, "@claimbot how many…" would be parsed as a
        # command named "how".
        return

    async def on_ready(self) -> None:
        log.info("connected as %s to %d server(s)", self.user, len(self.guilds))

    async def on_guild_available(self, guild: discord.Guild) -> None:
        # A server's first contact: it follows the seed claim bases (no copy is made).
        try:
            await asyncio.to_thread(self.service.set_up, str(guild.id))
        except StoreClosedError:
            pass  # shutting down while the server was being set up: it is set up next time

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.on_guild_available(guild)


class ShardedClaimBot(ClaimBot, commands.AutoShardedBot):
    """The same bot on discord.py's AutoShardedBot: one process runs a range of the bot's
    gateway shards (CLAIMBOT_SHARD_COUNT, CLAIMBOT_SHARD_IDS); several such processes share
    one database."""

    async def on_ready(self) -> None:
        log.info("connected as %s to %d server(s) on shard(s) %s of %s", self.user, len(self.guilds),
                 _ranges(self.shard_ids) if self.shard_ids else "all", self.shard_count)


def build_bot(service: ClaimService, settings: BotSettings, **options: Any) -> ClaimBot:
    """The bot these settings ask for: sharded when CLAIMBOT_SHARD_COUNT is set, else a plain
    `commands.Bot` (one connection, as Discord recommends for a small bot)."""
    if settings.shard_count is None:
        return ClaimBot(service, settings, **options)
    return ShardedClaimBot(service, settings, shard_count=settings.shard_count,
                           shard_ids=settings.shard_id_list, **options)


def _ranges(ids: list[int]) -> str:
    """[0, 1, 2, 3, 7] → "0-3,7"."""
    runs: list[list[int]] = []
    for i in sorted(ids):
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return ",".join(f"{a}-{b}" if a != b else str(a) for a, b in runs)
