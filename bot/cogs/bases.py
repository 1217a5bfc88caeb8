"""Shared claim bases: a server publishes its own claims under a name, other servers follow
that name and answer from it, live; a moderator forks a followed base to change it."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from knowledge.store import PublishedBase

from ..checks import moderator_only
from ..client import ClaimBot
from ..i18n import speech_for
from ..respond import off_loop, respond
from ..shared import AUTOCOMPLETE_SECONDS, actor_of, guarded, within


# On the group: Discord reads who may see a command and where only from the top-level one. `list`
# is for every member, so the group stays visible; the others check for a moderator at every use.
@app_commands.guild_only()
class Bases(commands.GroupCog, group_name="base", group_description="Claim bases shared between servers"):
    def __init__(self, bot: ClaimBot) -> None:
        self.bot = bot
        self.service = bot.service
        super().__init__()

    @app_commands.command(name="list", description="The claim bases this server follows, and those it can follow")
    async def list_bases(self, interaction: discord.Interaction[ClaimBot]) -> None:
        community = str(interaction.guild_id)

        def read() -> tuple[list[PublishedBase], PublishedBase | None, list[PublishedBase]]:
            return (self.service.followed_bases(community), self.service.own_base(community),
                    self.service.published_bases())

        followed, own, published = await off_loop(interaction, read, ephemeral=True)
        said = speech_for(interaction)
        tr = said.tr
        lines = []
        if own is not None:
            lines.append(tr("This server publishes **{name}** (withdrawn).", name=own.name) if own.withdrawn
                         else tr("This server publishes **{name}**.", name=own.name))
        if followed:
            lines.append(tr("Following: {names}", names=said.join(
                [b.name + (" " + tr("(withdrawn by its publisher)") if b.withdrawn else "") for b in followed])))
        else:
            lines.append(tr("This server follows no claim base."))
        following = {b.name for b in followed}
        others = [b for b in published if b.name not in following and b.community != community]
        if others:
            lines.append(tr("Can be followed with /base follow:"))
            lines += [f"\u2022 `{b.name}` \u00b7 " + said.plural("{n} server follows it", "{n} servers follow it",
                                                                 b.followers) for b in others[:20]]
        await respond(interaction, content="\n".join(said.line(line) for line in lines), ephemeral=True)

    @app_commands.command(name="publish", description="Publish this server's own claims under a name others follow")
    @app_commands.describe(name="The name, e.g. sudan-war (lowercase letters, digits, hyphens)")
    @moderator_only()
    async def publish(self, interaction: discord.Interaction[ClaimBot], name: str) -> None:
        published = await guarded(interaction, self.service.publish, str(interaction.guild_id), name,
                                  actor_of(interaction.user))
        if published is not None:
            tr = speech_for(interaction).tr
            await respond(interaction, ephemeral=True, content=tr(
                "Published as **{name}**: other servers can follow it with `/base follow {name}`, and see every "
                "change you make at once.", name=published.name))

    @app_commands.command(name="withdraw", description="Stop serving this server's published claims to followers")
    @moderator_only()
    async def withdraw(self, interaction: discord.Interaction[ClaimBot]) -> None:
        name = await guarded(interaction, self.service.withdraw, str(interaction.guild_id))
        if name is not None:
            tr = speech_for(interaction).tr
            await respond(interaction, ephemeral=True, content=tr(
                "**{name}** is withdrawn: its followers no longer get its claims. The name stays this server's.",
                name=name))

    @app_commands.command(name="follow", description="Answer from a published claim base too")
    @app_commands.describe(name="The claim base's name")
    @moderator_only()
    async def follow(self, interaction: discord.Interaction[ClaimBot], name: str) -> None:
        base = await guarded(interaction, self.service.follow, str(interaction.guild_id), name)
        if base is not None:
            tr = speech_for(interaction).tr
            await respond(interaction, ephemeral=True, content=tr(
                "This server now answers from **{name}** too; its answers say they come from it.", name=base.name))

    @app_commands.command(name="unfollow", description="Stop answering from a claim base")
    @app_commands.describe(name="The claim base's name")
    @moderator_only()
    async def unfollow(self, interaction: discord.Interaction[ClaimBot], name: str) -> None:
        community = str(interaction.guild_id)

        def unfollow() -> bool:
            self.service.unfollow(community, name)
            return True

        if await guarded(interaction, unfollow):
            tr = speech_for(interaction).tr
            await respond(interaction, ephemeral=True,
                          content=tr("This server no longer answers from **{name}**.", name=name.strip().casefold()))

    @app_commands.command(name="fork", description="Copy a followed claim base into this server's own, to change it")
    @app_commands.describe(name="The followed claim base's name")
    @moderator_only()
    async def fork(self, interaction: discord.Interaction[ClaimBot], name: str) -> None:
        plan = await guarded(interaction, self.service.fork, str(interaction.guild_id), name,
                             actor_of(interaction.user))
        if plan is not None:
            said = speech_for(interaction)
            await respond(interaction, ephemeral=True, content=said.tr(
                "**{name}** is now this server's own copy ({count} records); it is no longer followed, and your "
                "moderators can change it.", name=name.strip().casefold(), count=said.number(len(plan.writes))))

    @follow.autocomplete("name")
    async def _published(self, interaction: discord.Interaction[ClaimBot],
                         current: str) -> list[app_commands.Choice[str]]:
        bases = await within(AUTOCOMPLETE_SECONDS, self.service.published_bases)
        wanted = current.casefold()
        return [app_commands.Choice(name=b.name, value=b.name) for b in bases if wanted in b.name][:25]

    @unfollow.autocomplete("name")
    @fork.autocomplete("name")
    async def _followed(self, interaction: discord.Interaction[ClaimBot],
                        current: str) -> list[app_commands.Choice[str]]:
        bases = await within(AUTOCOMPLETE_SECONDS, self.service.followed_bases, str(interaction.guild_id))
        wanted = current.casefold()
        return [app_commands.Choice(name=b.name, value=b.name) for b in bases if wanted in b.name][:25]


async def setup(bot: ClaimBot) -> None:
    await bot.add_cog(Bases(bot))
