"""Moderators curate the claim base: `/claim add|edit|status|remove|restore|history|gaps|import|export`."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from knowledge.claimreview import claimreview_jsonld
from knowledge.curation import ClaimForm, Curator
from knowledge.importing import ImportPlan
from knowledge.knowledge_file import KnowledgeFileError, parse_knowledge
from knowledge.models import MAX_NOTE, MAX_SHORT, MAX_STATEMENT
from knowledge.storage import StoreError

from ..checks import moderator_only
from ..client import ClaimBot, reply_ephemeral
from ..refresh import refresh_posted_answers
from ..shared import actor_of, guarded

log = logging.getLogger(__name__)
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MESSAGE_LIMIT = 2000


def _clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 30] + "\n… (more in the export)"


class ClaimModal(discord.ui.Modal, title="Add a claim"):
    party: discord.ui.TextInput[ClaimModal] = discord.ui.TextInput(
        label="Who says it", custom_id="party", max_length=MAX_SHORT, placeholder="e.g. Russia's defence ministry")
    statement: discord.ui.TextInput[ClaimModal] = discord.ui.TextInput(
        label="What they say", custom_id="statement", style=discord.TextStyle.paragraph, max_length=MAX_STATEMENT)
    figure: discord.ui.TextInput[ClaimModal] = discord.ui.TextInput(
        label="Figure (optional)", custom_id="figure", required=False, max_length=MAX_SHORT,
        placeholder="a number and what it counts: 70 attackers killed")
    source: discord.ui.TextInput[ClaimModal] = discord.ui.TextInput(
        label="Source URL", custom_id="source", max_length=2000, placeholder="https://…")
    quote: discord.ui.TextInput[ClaimModal] = discord.ui.TextInput(
        label="Verbatim quote (optional)", custom_id="quote", style=discord.TextStyle.paragraph, required=False,
        max_length=MAX_STATEMENT)

    def __init__(self, cog: Curation, topic_id: str) -> None:
        super().__init__(custom_id=f"cb:add:{topic_id}"[:100])
        self.cog = cog
        self.topic_id = topic_id

    async def on_submit(self, interaction: discord.Interaction[ClaimBot]) -> None:  # type: ignore[override]
        form = ClaimForm(topic_id=self.topic_id, party=self.party.value, statement=self.statement.value,
                         source_url=self.source.value, figure=self.figure.value, quote=self.quote.value)
        claim = await guarded(interaction, self.cog.curator.add_claim, str(interaction.guild_id), form,
                                       actor_of(interaction.user))
        if claim is not None:
            await interaction.response.send_message(f"Added `{claim.id}`: {claim.statement}", ephemeral=True)

    async def on_error(self, interaction: discord.Interaction[ClaimBot], error: Exception) -> None:  # type: ignore[override]
        log.error("add-claim form failed in guild %s", interaction.guild_id, exc_info=error)
        await reply_ephemeral(interaction, "Sorry, the claim could not be saved; nothing was changed.")


class EditModal(discord.ui.Modal, title="Edit a claim"):
    statement: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
        label="What they say", custom_id="statement", style=discord.TextStyle.paragraph, max_length=MAX_STATEMENT)
    note: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
        label="Note (optional)", custom_id="note", style=discord.TextStyle.paragraph, required=False,
        max_length=MAX_NOTE)

    def __init__(self, cog: Curation, claim_id: str, version: int, statement: str, note: str | None) -> None:
        # The version the moderator saw travels with the form: saving over somebody
        # else's newer change is refused instead of silently undoing it.
        super().__init__(custom_id=f"cb:edit:{version}:{claim_id}"[:100])
        self.cog, self.claim_id, self.version = cog, claim_id, version
        self.statement.default = statement
        self.note.default = note or ""

    async def on_submit(self, interaction: discord.Interaction[ClaimBot]) -> None:  # type: ignore[override]
        await self.cog.apply_change(interaction, self.claim_id, expected_version=self.version,
                                    statement=self.statement.value, note=self.note.value.strip() or None)


class ImportConfirm(discord.ui.View):
    """Confirm / Cancel under an import preview; only the moderator who asked may press.

    Confirming applies exactly the previewed plan, with the versions the preview saw: if
    another moderator changed one of those records meanwhile, nothing is imported."""

    def __init__(self, cog: Curation, community: str, moderator: int, plan: ImportPlan, name: str) -> None:
        super().__init__(timeout=600)
        self.cog, self.community, self.moderator, self.plan, self.name = cog, community, moderator, plan, name

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:  # type: ignore[override]
        if interaction.user.id != self.moderator:
            await interaction.response.send_message("Only the moderator who started this import can confirm it.",
                                                    ephemeral=True)
            return False
        return True

    @discord.ui.button(label="Import", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction[ClaimBot], button: discord.ui.Button[Any]) -> None:
        self.stop()
        try:
            await asyncio.to_thread(self.cog.service.write, self.community, self.plan.writes,
                                    actor_of(interaction.user))
        except StoreError as exc:
            await interaction.response.edit_message(content=_clip(f"Nothing was imported: {exc}"), view=None)
            return
        await interaction.response.edit_message(content=f"Imported `{self.name}`: {self.plan.summary()}.",
                                                view=None)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction[ClaimBot], button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content="Import cancelled; nothing was changed.", view=None)


@app_commands.guild_only()
@app_commands.default_permissions(manage_messages=True)
class Curation(commands.GroupCog, group_name="claim", group_description="Curate this server's claim base"):
    def __init__(self, bot: ClaimBot) -> None:
        self.bot = bot
        self.service = bot.service
        self.curator = Curator(bot.service)
        super().__init__()

    async def apply_change(self, interaction: discord.Interaction[ClaimBot], claim_id: str, **changes: Any) -> None:
        change = await guarded(interaction, self.curator.edit_claim, str(interaction.guild_id), claim_id,
                                    actor_of(interaction.user), **changes)
        if change is not None:
            await self._announce(interaction, change.topic_id, change.summary, claim_id)

    async def _announce(self, interaction: discord.Interaction[ClaimBot], topic_id: str, summary: str,
                        claim_id: str) -> None:
        await interaction.response.send_message(f"Saved `{claim_id}`: {summary}.", ephemeral=True)
        party = self._party_of(str(interaction.guild_id), claim_id)
        updated = await refresh_posted_answers(self.bot, str(interaction.guild_id), topic_id,
                                               f"{party}: {summary}" if party else summary)
        if updated:
            await interaction.followup.send(f"Updated {updated} earlier answer(s) in place.", ephemeral=True)

    def _party_of(self, community: str, claim_id: str) -> str | None:
        kb = self.service.knowledge(community)
        claim = kb.claims.get(claim_id)
        return kb.parties[claim.party].name if claim and claim.party in kb.parties else None

    # --- commands ------------------------------------------------------------------

    @app_commands.command(name="add", description="Add a party's claim to a topic (opens a form)")
    @app_commands.describe(topic="The topic the claim answers")
    @moderator_only()
    async def add(self, interaction: discord.Interaction[ClaimBot], topic: str) -> None:
        if topic not in self.service.knowledge(str(interaction.guild_id)).topics:
            await reply_ephemeral(interaction, f"There is no topic `{topic}`; pick one from the list as you type.")
            return
        await interaction.response.send_modal(ClaimModal(self, topic))

    @app_commands.command(name="edit", description="Correct a claim's text (opens a form)")
    @moderator_only()
    async def edit(self, interaction: discord.Interaction[ClaimBot], claim: str) -> None:
        stored = self.service.store.get(str(interaction.guild_id), "claim", claim)
        if stored is None:
            await reply_ephemeral(interaction, f"There is no claim `{claim}`; pick one from the list as you type.")
            return
        record = stored.record
        await interaction.response.send_modal(
            EditModal(self, claim, stored.meta.version, record.statement, record.note))  # type: ignore[attr-defined]

    @app_commands.command(name="status", description="Set a claim's verification status")
    @app_commands.describe(status="The new status", verified_by="Who verified it (required for confirmed/false)",
                           note="What the verifier found")
    @moderator_only()
    async def status(self, interaction: discord.Interaction[ClaimBot], claim: str,
                     status: Literal["unverified", "confirmed", "disputed", "false", "retracted"],
                     verified_by: app_commands.Range[str, 1, MAX_SHORT] | None = None,
                     note: app_commands.Range[str, 1, MAX_NOTE] | None = None) -> None:
        change = await guarded(interaction, self.curator.set_status, str(interaction.guild_id), claim, status,
                                    actor_of(interaction.user), verified_by=verified_by or "", note=note or "")
        if change is not None:
            await self._announce(interaction, change.topic_id, change.summary, claim)

    @app_commands.command(name="remove", description="Remove a claim (it can be restored)")
    @moderator_only()
    async def remove(self, interaction: discord.Interaction[ClaimBot], claim: str) -> None:
        await guarded(interaction, self.curator.remove_claim, str(interaction.guild_id), claim,
                           actor_of(interaction.user))
        if not interaction.response.is_done():  # guarded() has replied if it was refused
            await interaction.response.send_message(f"Removed `{claim}`; `/claim restore` brings it back.",
                                                    ephemeral=True)

    @app_commands.command(name="restore", description="Bring back a removed claim")
    @moderator_only()
    async def restore(self, interaction: discord.Interaction[ClaimBot], claim: str) -> None:
        await guarded(interaction, self.curator.restore_claim, str(interaction.guild_id), claim,
                           actor_of(interaction.user))
        if not interaction.response.is_done():
            await interaction.response.send_message(f"Restored `{claim}`.", ephemeral=True)

    @app_commands.command(name="search", description="Find claims by party or text")
    @app_commands.describe(text="Words from the party's name or the statement")
    @moderator_only()
    async def search(self, interaction: discord.Interaction[ClaimBot], text: str) -> None:
        rows = await asyncio.to_thread(self.curator.claim_choices, str(interaction.guild_id), text, 15)
        if not rows:
            await interaction.response.send_message(f"No claims match “{text}”.", ephemeral=True)
            return
        lines = [f"`{cid}` — {discord.utils.escape_markdown(label)}" for cid, label in rows]
        await interaction.response.send_message(_clip("\n".join(lines)), ephemeral=True)

    @app_commands.command(name="history", description="Who changed a claim, when, before → after")
    @moderator_only()
    async def history(self, interaction: discord.Interaction[ClaimBot], claim: str) -> None:
        lines = await asyncio.to_thread(self.curator.history, str(interaction.guild_id), claim)
        text = "\n".join(lines) if lines else f"No history for `{claim}`."
        await interaction.response.send_message(_clip(f"```\n{text}\n```"), ephemeral=True)

    @app_commands.command(name="gaps", description="What members asked that the claim base could not answer")
    @app_commands.describe(days="How far back to look")
    @moderator_only()
    async def gaps(self, interaction: discord.Interaction[ClaimBot], days: app_commands.Range[int, 1, 365] = 30) -> None:
        since = datetime.now(UTC) - timedelta(days=days)
        gaps = await asyncio.to_thread(self.curator.gaps, str(interaction.guild_id), since)
        if not gaps:
            await interaction.response.send_message(f"No unanswered questions in the last {days} days.",
                                                    ephemeral=True)
            return
        lines = [f"**{g.count}×** {discord.utils.escape_markdown(g.example)}" for g in gaps]
        await interaction.response.send_message(
            _clip(f"Most-asked unanswered questions, last {days} days:\n" + "\n".join(lines)), ephemeral=True)

    @app_commands.command(name="export", description="Download this server's claim base")
    @moderator_only()
    async def export(self, interaction: discord.Interaction[ClaimBot],
                     format: Literal["yaml", "claimreview"] = "yaml") -> None:  # noqa: A002 - the option's name
        community = str(interaction.guild_id)
        if format == "claimreview":
            data = json.dumps(claimreview_jsonld(self.service.knowledge(community), self.service.metas(community)),
                              ensure_ascii=False, indent=2).encode()
            name = "claimreview.jsonld"
        else:
            data = (await asyncio.to_thread(self.service.export, community)).encode()
            name = "claims.yaml"
        await interaction.response.send_message(f"This server's claim base ({format}).",
                                                file=discord.File(io.BytesIO(data), name), ephemeral=True)

    @app_commands.command(name="import", description="Load a knowledge file: validated, previewed, all or nothing")
    @moderator_only()
    async def import_(self, interaction: discord.Interaction[ClaimBot], file: discord.Attachment) -> None:
        if file.size > MAX_IMPORT_BYTES:
            await reply_ephemeral(interaction, "That file is larger than 5 MB; a knowledge file is plain text.")
            return
        data = await file.read()
        community = str(interaction.guild_id)
        try:
            plan: ImportPlan = await asyncio.to_thread(
                self.service.plan_file_import, community, parse_knowledge(data, name=file.filename))
        except KnowledgeFileError as exc:
            await reply_ephemeral(interaction, _clip(f"Nothing was imported.\n```\n{exc}\n```"))
            return
        if plan.empty:
            await reply_ephemeral(interaction, f"`{file.filename}` changes nothing: {plan.summary()}.")
            return
        preview = "\n".join(f"• {c.action} {c.kind} `{c.id}`" + (f" ({', '.join(c.fields)})" if c.fields else "")
                            for c in plan.changes[:30])
        more = f"\n… and {len(plan.changes) - 30} more" if len(plan.changes) > 30 else ""
        await interaction.response.send_message(
            _clip(f"`{file.filename}` would {plan.summary()}:\n{preview}{more}"),
            view=ImportConfirm(self, community, interaction.user.id, plan, file.filename), ephemeral=True)

    # --- autocomplete --------------------------------------------------------------

    @add.autocomplete("topic")
    async def _topics(self, interaction: discord.Interaction[ClaimBot], current: str) -> list[app_commands.Choice[str]]:
        community = str(interaction.guild_id)
        kb = self.service.knowledge(community)
        ids = self.service.matcher(community).complete(current, limit=25)
        return [app_commands.Choice(name=kb.topics[t].title[:100], value=t) for t in ids if t in kb.topics]

    @edit.autocomplete("claim")
    @status.autocomplete("claim")
    @remove.autocomplete("claim")
    @history.autocomplete("claim")
    async def _claims(self, interaction: discord.Interaction[ClaimBot], current: str) -> list[app_commands.Choice[str]]:
        rows = self.curator.claim_choices(str(interaction.guild_id), current)
        return [app_commands.Choice(name=label[:100], value=cid) for cid, label in rows]

    @restore.autocomplete("claim")
    async def _removed(self, interaction: discord.Interaction[ClaimBot], current: str) -> list[app_commands.Choice[str]]:
        rows = self.curator.removed_choices(str(interaction.guild_id))
        return [app_commands.Choice(name=label[:100], value=cid) for cid, label in rows
                if current.casefold() in label.casefold() or current in cid][:25]


async def setup(bot: ClaimBot) -> None:
    await bot.add_cog(Curation(bot))

