"""Moderators curate the claim base: `/claim add|edit|status|remove|restore|history|gaps|import|export`."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Literal, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from knowledge.claimreview import claimreview_jsonld
from knowledge.curation import ClaimForm, Curator, claim_choices
from knowledge.errors import ClaimbotError
from knowledge.importing import ImportPlan
from knowledge.models import MAX_NOTE, MAX_SHORT, MAX_STATEMENT
from knowledge.refresh import what_changed

from ..checks import moderator_only
from ..client import ClaimBot
from ..refresh import refresh_posted_answers
from ..render import plain
from ..respond import defer, off_loop, reply_ephemeral, respond
from ..shared import actor_of, cached_knowledge, guarded, moderator_asking

log = logging.getLogger(__name__)
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MESSAGE_LIMIT = 2000
# Autocomplete answers must reach Discord within 3 s; past this, suggest nothing.
AUTOCOMPLETE_SECONDS = 1.5
T = TypeVar("T")


async def _within(seconds: float, func: Callable[..., list[T]], *args: Any, **kwargs: Any) -> list[T]:
    """Run a lookup for an autocomplete box off the loop; an empty list if it is slow."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(func, *args, **kwargs), seconds)
    except (TimeoutError, ClaimbotError):
        return []


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
            await respond(interaction, content=_clip(f"Added `{claim.id}`: "
                                                     f"{plain(claim.statement)}"),
                          ephemeral=True)

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

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id != self.moderator:
            await interaction.response.send_message("Only the moderator who started this import can confirm it.",
                                                    ephemeral=True)
            return False
        return True

    @discord.ui.button(label="Import", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction[ClaimBot], button: discord.ui.Button[Any]) -> None:
        self.stop()
        try:
            await off_loop(interaction, self.cog.service.apply_plan, self.community, self.plan,
                           actor_of(interaction.user), update=True)
        except ClaimbotError as exc:
            await respond(interaction, update=True, content=_clip(f"Nothing was imported: {exc}"), view=None)
            return
        await respond(interaction, update=True, content=f"Imported `{_name(self.name)}`: {self.plan.summary()}.",
                      view=None)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction[ClaimBot], button: discord.ui.Button[Any]) -> None:
        self.stop()
        await respond(interaction, update=True, content="Import cancelled; nothing was changed.", view=None)

    async def on_error(self, interaction: discord.Interaction[ClaimBot], error: Exception,  # type: ignore[override]
                       item: discord.ui.Item[Any]) -> None:
        log.error("import confirmation failed in guild %s", interaction.guild_id, exc_info=error)
        await reply_ephemeral(interaction, "Sorry, the import could not be finished; nothing was changed.")


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
        community = str(interaction.guild_id)
        await respond(interaction, content=_clip(f"Saved `{claim_id}`: {plain(summary)}."),
                      ephemeral=True)
        change = await asyncio.to_thread(what_changed, self.service, community, claim_id, summary)
        updated = await refresh_posted_answers(self.bot, community, topic_id, change)
        if updated:
            await interaction.followup.send(f"Updated {updated} earlier answer(s) in place.", ephemeral=True)

    # --- commands ------------------------------------------------------------------

    @app_commands.command(name="add", description="Add a party's claim to a topic (opens a form)")
    @app_commands.describe(topic="The topic the claim answers")
    @moderator_only()
    async def add(self, interaction: discord.Interaction[ClaimBot], topic: str) -> None:
        # A modal must be the initial response (it cannot follow a deferral), so this
        # check reads only the claim base in memory: no database, no lock, no wait.
        kb = self.service.cached_knowledge(str(interaction.guild_id))
        if kb is None:
            kb = await asyncio.wait_for(asyncio.to_thread(self.service.knowledge, str(interaction.guild_id)), 2.0)
        if topic not in kb.topics:
            await reply_ephemeral(interaction, f"There is no topic `{topic}`; pick one from the list as you type.")
            return
        await interaction.response.send_modal(ClaimModal(self, topic))

    @app_commands.command(name="edit", description="Correct a claim's text (opens a form)")
    @moderator_only()
    async def edit(self, interaction: discord.Interaction[ClaimBot], claim: str) -> None:
        # The form must be the initial response, so the lookup gets at most 2 s; reads
        # never wait for writers (WAL), so it takes milliseconds.
        stored = await asyncio.wait_for(
            asyncio.to_thread(self.service.record, str(interaction.guild_id), "claim", claim), 2.0)
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
        done = await guarded(interaction, self._remove, str(interaction.guild_id), claim, actor_of(interaction.user))
        if done:  # guarded() has replied if it was refused
            await respond(interaction, content=f"Removed `{claim}`; `/claim restore` brings it back.", ephemeral=True)

    @app_commands.command(name="restore", description="Bring back a removed claim")
    @moderator_only()
    async def restore(self, interaction: discord.Interaction[ClaimBot], claim: str) -> None:
        done = await guarded(interaction, self._restore, str(interaction.guild_id), claim, actor_of(interaction.user))
        if done:
            await respond(interaction, content=f"Restored `{claim}`.", ephemeral=True)

    def _remove(self, community: str, claim: str, actor: str) -> bool:
        self.curator.remove_claim(community, claim, actor)
        return True

    def _restore(self, community: str, claim: str, actor: str) -> bool:
        self.curator.restore_claim(community, claim, actor)
        return True

    @app_commands.command(name="search", description="Find claims by party or text")
    @app_commands.describe(text="Words from the party's name or the statement")
    @moderator_only()
    async def search(self, interaction: discord.Interaction[ClaimBot], text: str) -> None:
        rows = await off_loop(interaction, self.curator.claim_choices, str(interaction.guild_id), text, 15,
                              ephemeral=True)
        if not rows:
            await respond(interaction, content=_clip(f"No claims match “{plain(text)}”."),
                          ephemeral=True)
            return
        lines = [f"`{cid}` — {plain(label)}" for cid, label in rows]
        await respond(interaction, content=_clip("\n".join(lines)), ephemeral=True)

    @app_commands.command(name="history", description="Who changed a claim, when, before → after")
    @moderator_only()
    async def history(self, interaction: discord.Interaction[ClaimBot], claim: str) -> None:
        lines = await off_loop(interaction, self.curator.history, str(interaction.guild_id), claim, ephemeral=True)
        text = "\n".join(lines).replace("```", "`\u200b``") if lines else f"No history for {claim}."
        await respond(interaction, content=_clip(f"```\n{text}\n```"), ephemeral=True)

    @app_commands.command(name="gaps", description="What members asked that the claim base could not answer")
    @app_commands.describe(days="How far back to look")
    @moderator_only()
    async def gaps(self, interaction: discord.Interaction[ClaimBot],
                   days: app_commands.Range[int, 1, 365] = 30) -> None:
        since = self.bot.clock() - timedelta(days=days)
        gaps = await off_loop(interaction, self.curator.open_gaps, str(interaction.guild_id), since, ephemeral=True)
        if not gaps:
            await respond(interaction, content=f"No unanswered questions in the last {days} days.", ephemeral=True)
            return
        lines = [f"**{g.count}×** {plain(g.example)}" for g in gaps]
        await respond(interaction, content=_clip(f"Most-asked unanswered questions, last {days} days:\n"
                                                 + "\n".join(lines)
                                                 + "\n`/claim link` teaches a topic one of them."), ephemeral=True)

    @app_commands.command(name="link", description="Teach a topic a question it could not answer")
    @app_commands.describe(question="The question as members asked it (see /claim gaps)",
                           topic="The topic it is about")
    @moderator_only()
    async def link(self, interaction: discord.Interaction[ClaimBot], question: app_commands.Range[str, 1, MAX_SHORT],
                   topic: str) -> None:
        linked = await guarded(interaction, self.curator.link_question, str(interaction.guild_id), question, topic,
                               actor_of(interaction.user))
        if linked is not None:
            await respond(interaction, content=_clip(f"`{topic}` learnt “{plain(linked.aliases[-1])}”: that "
                                                     f"question is answered with “{plain(linked.title)}” from now on."),
                          ephemeral=True)

    @app_commands.command(name="export", description="Download this server's claim base")
    @moderator_only()
    async def export(self, interaction: discord.Interaction[ClaimBot],
                     format: Literal["yaml", "claimreview"] = "yaml") -> None:  # noqa: A002 - the option's name
        community = str(interaction.guild_id)
        await defer(interaction, ephemeral=True)  # a large base takes a while to write out

        def export() -> bytes:
            if format == "claimreview":
                return json.dumps(claimreview_jsonld(self.service.knowledge(community), self.service.metas(community)),
                                  ensure_ascii=False, indent=2).encode()
            return self.service.export(community).encode()

        data = await off_loop(interaction, export, ephemeral=True)
        name = "claimreview.jsonld" if format == "claimreview" else "claims.yaml"
        await respond(interaction, content=f"This server's claim base ({format}).",
                      file=discord.File(io.BytesIO(data), name), ephemeral=True)

    @app_commands.command(name="import", description="Load a knowledge file: validated, previewed, all or nothing")
    @moderator_only()
    async def import_(self, interaction: discord.Interaction[ClaimBot], file: discord.Attachment) -> None:
        if file.size > MAX_IMPORT_BYTES:
            await reply_ephemeral(interaction, "That file is larger than 5 MB; a knowledge file is plain text.")
            return
        # Downloading, parsing and planning a large file takes seconds: acknowledge first,
        # and do all of it off the event loop.
        await defer(interaction, ephemeral=True)
        try:
            data = await file.read()
        except discord.HTTPException as exc:
            await reply_ephemeral(interaction, f"I could not download `{_name(file.filename)}` from Discord "
                                               f"({exc.status}); try uploading it again.")
            return
        if len(data) > MAX_IMPORT_BYTES:  # the size Discord announced is not a promise
            await reply_ephemeral(interaction, "That file is larger than 5 MB; a knowledge file is plain text.")
            return
        community = str(interaction.guild_id)
        try:
            plan: ImportPlan = await off_loop(interaction, self.service.plan_upload, community, data,
                                              file.filename, ephemeral=True)
        except ClaimbotError as exc:
            await reply_ephemeral(interaction, _clip(f"Nothing was imported.\n```\n{_fence(str(exc))}\n```"))
            return
        if plan.empty:
            await reply_ephemeral(interaction, f"`{_name(file.filename)}` changes nothing: {plan.summary()}.")
            return
        preview = "\n".join(f"• {c.action} {c.kind} `{c.id}`" + (f" ({', '.join(c.fields)})" if c.fields else "")
                            for c in plan.changes[:30])
        more = f"\n… and {len(plan.changes) - 30} more" if len(plan.changes) > 30 else ""
        await respond(interaction, content=_clip(f"`{_name(file.filename)}` would {plan.summary()}:\n{preview}{more}"),
                      view=ImportConfirm(self, community, interaction.user.id, plan, file.filename), ephemeral=True)

    # --- autocomplete --------------------------------------------------------------

    # Autocomplete runs no checks and must answer within 3 s whatever the database does:
    # suggestions come from the claim base in memory (a moment stale at worst), and only
    # moderators get any — these are moderator commands.

    @add.autocomplete("topic")
    @link.autocomplete("topic")
    async def _topics(self, interaction: discord.Interaction[ClaimBot], current: str) -> list[app_commands.Choice[str]]:
        community = str(interaction.guild_id)
        kb = cached_knowledge(self.service, community)
        matcher = self.service.cached_matcher(community)
        if kb is None or matcher is None or not moderator_asking(interaction):
            return []
        ids = await _within(AUTOCOMPLETE_SECONDS, matcher.complete, current, limit=25)
        return [app_commands.Choice(name=kb.topics[t].title[:100], value=t) for t in ids if t in kb.topics]

    @edit.autocomplete("claim")
    @status.autocomplete("claim")
    @remove.autocomplete("claim")
    @history.autocomplete("claim")
    async def _claims(self, interaction: discord.Interaction[ClaimBot], current: str) -> list[app_commands.Choice[str]]:
        kb = cached_knowledge(self.service, str(interaction.guild_id))
        if kb is None or not moderator_asking(interaction):
            return []
        rows = await _within(AUTOCOMPLETE_SECONDS, claim_choices, kb, current)
        return [app_commands.Choice(name=label[:100], value=cid) for cid, label in rows]

    @restore.autocomplete("claim")
    async def _removed(self, interaction: discord.Interaction[ClaimBot],
                       current: str) -> list[app_commands.Choice[str]]:
        if not moderator_asking(interaction):
            return []  # removed claims are for moderators' eyes only
        rows = await _within(AUTOCOMPLETE_SECONDS, self.curator.removed_choices, str(interaction.guild_id))
        return [app_commands.Choice(name=label[:100], value=cid) for cid, label in rows
                if current.casefold() in label.casefold() or current in cid][:25]


def _name(filename: str) -> str:
    """An uploaded file's name, safe inside `code`: no backticks, no line breaks, not too long."""
    return filename.replace("`", "'").replace("\n", " ")[:100]


def _fence(text: str) -> str:
    """Text safe inside a ``` block: a line of its own can't close the block early."""
    return text.replace("```", "`\u200b``")


async def setup(bot: ClaimBot) -> None:
    await bot.add_cog(Curation(bot))

