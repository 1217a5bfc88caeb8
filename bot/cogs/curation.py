"""Moderators curate the claim base: `/claim add|edit|status|remove|restore|history|gaps|import|export`."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import logging
import re
import secrets
import weakref
from datetime import timedelta
from typing import Any, Literal

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from knowledge.claimreview import claimreview_jsonld
from knowledge.curation import ClaimForm, Curator, claim_choices
from knowledge.errors import ClaimbotError
from knowledge.i18n import Speech, language_name
from knowledge.importing import ImportPlan
from knowledge.models import MAX_NOTE, MAX_SHORT, MAX_STATEMENT, Claim, Status
from knowledge.refresh import what_changed
from knowledge.statuses import STATUS_INFO

from ..checks import moderator_only
from ..client import ClaimBot
from ..i18n import LANGUAGE_CHOICES, speech_for
from ..refresh import refresh_posted_answers
from ..render import plain
from ..respond import defer, off_loop, reply_ephemeral, respond
from ..shared import (
    AUTOCOMPLETE_SECONDS,
    MESSAGE_LIMIT,
    actor_of,
    before_form,
    cached_knowledge,
    clip,
    guarded,
    moderator_asking,
    turned_away,
    within,
)

log = logging.getLogger(__name__)
MAX_IMPORT_BYTES = 5 * 1024 * 1024
IMPORT_CONFIRM_SECONDS = 10 * 60
MAX_ACCEPT_BUTTONS = 5  # one row of buttons under /claim gaps

def _field(label: str, custom_id: str, *, max_length: int, paragraph: bool = False, required: bool = True,
           placeholder: str | None = None, default: str | None = None) -> discord.ui.TextInput[Any]:
    """A form field, its label in the moderator's language (given at construction: Discord's
    labels are part of the field)."""
    return discord.ui.TextInput(label=label[:45], custom_id=custom_id, max_length=max_length, required=required,
                                style=discord.TextStyle.paragraph if paragraph else discord.TextStyle.short,
                                placeholder=placeholder[:100] if placeholder else None, default=default)


# A form a moderator leaves open this long is dropped: the bot keeps no form forever.
# Submitted later, it is answered with what was typed, so no text is lost (`form_expired`).
FORM_TIMEOUT = 30 * 60
FORM_PREFIX = "cb:form:"
# The forms this process has open, by custom_id. Weak: a form lives as long as discord.py
# waits for it (and while it is being handled), then leaves by itself.
_open_forms: weakref.WeakValueDictionary[str, ModeratorForm] = weakref.WeakValueDictionary()


class ModeratorForm(discord.ui.Modal):
    """A moderator's form. Every form opened gets an id of its own: discord.py keeps open forms
    by id for the whole bot, so two moderators (or two servers) on the same topic must not
    share one — the second would replace the first and its text be lost. Who submits is
    checked again when the form comes back, as every moderator action is."""

    def __init__(self, *, title: str) -> None:
        super().__init__(title=title[:45], custom_id=f"{FORM_PREFIX}{secrets.token_hex(8)}", timeout=FORM_TIMEOUT)
        self.timed_out = False
        _open_forms[self.custom_id] = self

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return not await turned_away(interaction)

    async def on_timeout(self) -> None:
        self.timed_out = True


def form_expired(interaction: discord.Interaction[Any]) -> bool:
    """A submitted moderator's form that no handler waits for: dropped after `FORM_TIMEOUT`,
    or opened before this process started (a restart, a deploy)."""
    if interaction.type is not discord.InteractionType.modal_submit:
        return False
    custom_id = str(dict(interaction.data or {}).get("custom_id", ""))
    form = _open_forms.get(custom_id)
    return custom_id.startswith(FORM_PREFIX) and (form is None or form.timed_out)


def typed_values(interaction: discord.Interaction[Any]) -> list[str]:
    """What the moderator typed into a submitted form, field by field."""
    data: dict[str, Any] = dict(interaction.data or {})
    fields = [c for row in data.get("components") or [] for c in row.get("components") or [] if isinstance(c, dict)]
    return [str(c.get("value") or "") for c in fields if str(c.get("value") or "").strip()]


class ClaimModal(ModeratorForm):
    def __init__(self, cog: Curation, topic_id: str, said: Speech) -> None:
        super().__init__(title=said.tr("Add a claim"))
        self.cog = cog
        self.topic_id = topic_id
        tr = said.tr
        self.party = _field(tr("Who says it"), "party", max_length=MAX_SHORT,
                            placeholder=tr("e.g. Russia's defence ministry"))
        self.statement = _field(tr("What they say"), "statement", max_length=MAX_STATEMENT, paragraph=True)
        self.figure = _field(tr("Figure (optional)"), "figure", max_length=MAX_SHORT, required=False,
                             placeholder=tr("a number and what it counts: 70 attackers killed"))
        self.source = _field(tr("Source URL"), "source", max_length=2000, placeholder="https://…")
        self.quote = _field(tr("Verbatim quote (optional)"), "quote", max_length=MAX_STATEMENT, paragraph=True,
                            required=False)
        for item in (self.party, self.statement, self.figure, self.source, self.quote):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction[ClaimBot]) -> None:  # type: ignore[override]
        form = ClaimForm(topic_id=self.topic_id, party=self.party.value, statement=self.statement.value,
                         source_url=self.source.value, figure=self.figure.value, quote=self.quote.value)
        claim = await guarded(interaction, self.cog.curator.add_claim, str(interaction.guild_id), form,
                              actor_of(interaction.user))
        if claim is not None:
            await respond(interaction, content=clip(speech_for(interaction).tr(
                "Added `{claim}`: {statement}", claim=claim.id, statement=plain(claim.statement))), ephemeral=True)

    async def on_error(self, interaction: discord.Interaction[ClaimBot], error: Exception) -> None:  # type: ignore[override]
        log.error("add-claim form failed in guild %s", interaction.guild_id, exc_info=error)
        await reply_ephemeral(interaction, speech_for(interaction).tr(
            "Sorry, the claim could not be saved; nothing was changed."))


class EditModal(ModeratorForm):
    def __init__(self, cog: Curation, claim_id: str, version: int, statement: str, note: str | None,
                 said: Speech) -> None:
        # The version the moderator saw stays with the form: saving over somebody
        # else's newer change is refused instead of silently undoing it.
        super().__init__(title=said.tr("Edit a claim"))
        self.cog, self.claim_id, self.version = cog, claim_id, version
        self.statement = _field(said.tr("What they say"), "statement", max_length=MAX_STATEMENT, paragraph=True,
                                default=statement)
        self.note = _field(said.tr("Note (optional)"), "note", max_length=MAX_NOTE, paragraph=True, required=False,
                           default=note or "")
        self.add_item(self.statement)
        self.add_item(self.note)

    async def on_submit(self, interaction: discord.Interaction[ClaimBot]) -> None:  # type: ignore[override]
        await self.cog.apply_change(interaction, self.claim_id, expected_version=self.version,
                                    statement=self.statement.value, note=self.note.value.strip() or None)


class TranslateModal(ModeratorForm):
    def __init__(self, cog: Curation, claim: Claim, language: str, said: Speech) -> None:
        super().__init__(title=said.tr("Translate into {language}", language=language_name(language, said.language)))
        self.cog, self.claim_id, self.language = cog, claim.id, language
        tr = said.tr
        existing = claim.translations.get(language)
        figure = existing.figure if existing is not None else None
        unit = figure.unit if figure is not None else ""
        self.statement = _field(tr("What they say"), "statement", max_length=MAX_STATEMENT, paragraph=True,
                                placeholder=claim.statement, default=existing.statement if existing else None)
        self.quote = _field(tr("Verbatim quote (optional)"), "quote", max_length=MAX_STATEMENT, paragraph=True,
                            required=False, default=existing.quote or "" if existing else None)
        self.figure_wording = _field(tr("The figure's words (optional)"), "wording", max_length=MAX_SHORT,
                                     required=False, default=figure.wording or "" if figure else None)
        unit_text = unit if isinstance(unit, str) else "\n".join(f"{c}: {form}" for c, form in unit.items())
        # Six plural forms (Arabic) of a long unit can pass MAX_NOTE: Discord refuses a form whose
        # field holds more than its max_length, so the field makes room (up to Discord's 4,000).
        self.figure_unit = _field(
            tr("What the figure counts (optional)"), "unit", max_length=min(4000, max(MAX_NOTE, len(unit_text))),
            paragraph=True, required=False, placeholder=tr("one text, or one line per plural form: one: …, few: …, "
                                                           "other: …"), default=unit_text)
        self.add_item(self.statement)
        # Only what the claim has can be translated: no quote field for a claim without a quote.
        if claim.quote is not None:
            self.add_item(self.quote)
        if claim.figure is not None:
            self.add_item(self.figure_wording)
            self.add_item(self.figure_unit)

    async def on_submit(self, interaction: discord.Interaction[ClaimBot]) -> None:  # type: ignore[override]
        change = await guarded(interaction, self.cog.curator.translate_claim, str(interaction.guild_id),
                               self.claim_id, self.language, actor_of(interaction.user),
                               statement=self.statement.value, quote=self.quote.value,
                               figure_wording=self.figure_wording.value, figure_unit=self.figure_unit.value)
        if change is not None:
            await self.cog.announce(interaction, change.topic_id, change.summary, self.claim_id)


class ImportConfirm(discord.ui.View):
    """Confirm / Cancel under an import preview; only the moderator who asked may press.

    Confirming applies exactly the previewed plan, with the versions the preview saw: if
    another moderator changed one of those records meanwhile, nothing is imported."""

    def __init__(self, cog: Curation, preview: discord.Interaction[ClaimBot], plan: ImportPlan, name: str,
                 said: Speech) -> None:
        # Shorter than the 15 minutes the preview's interaction can still edit it: at the end
        # the buttons go, and the preview says so (`on_timeout`).
        super().__init__(timeout=IMPORT_CONFIRM_SECONDS)
        self.cog, self.preview, self.plan, self.name, self.said = cog, preview, plan, name, said
        self.community, self.moderator = str(preview.guild_id), preview.user.id
        self.confirm.label, self.cancel.label = said.tr("Import"), said.tr("Cancel")

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id != self.moderator:
            await reply_ephemeral(interaction, speech_for(interaction).tr(
                "Only the moderator who started this import can confirm it."))
            return False
        return not await turned_away(interaction)  # (no longer a moderator, since the preview?)

    async def on_timeout(self) -> None:
        try:
            await self.preview.edit_original_response(view=None, content=self.said.tr(
                "This import preview has expired; nothing was imported. Upload the file again to import it."))
        except discord.HTTPException as exc:  # (the preview was dismissed, or Discord is unreachable)
            log.info("could not mark an expired import preview: %s", exc)

    @discord.ui.button(label="Import", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction[ClaimBot], button: discord.ui.Button[Any]) -> None:
        self.stop()
        said = speech_for(interaction)
        try:
            await off_loop(interaction, self.cog.service.apply_plan, self.community, self.plan,
                           actor_of(interaction.user), update=True)
        except ClaimbotError as exc:
            await respond(interaction, update=True,
                          content=clip(said.tr("Nothing was imported: {reason}", reason=exc.say(said))), view=None)
            return
        await respond(interaction, update=True, view=None, content=said.tr(
            "Imported `{file}`: {summary}.", file=_name(self.name), summary=self.plan.summary(done=True)))

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction[ClaimBot], button: discord.ui.Button[Any]) -> None:
        self.stop()
        await respond(interaction, update=True,
                      content=speech_for(interaction).tr("Import cancelled; nothing was changed."), view=None)

    async def on_error(self, interaction: discord.Interaction[ClaimBot], error: Exception,  # type: ignore[override]
                       item: discord.ui.Item[Any]) -> None:
        log.error("import confirmation failed in guild %s", interaction.guild_id, exc_info=error)
        await reply_ephemeral(interaction, speech_for(interaction).tr(
            "Sorry, the import could not be finished; nothing was changed."))


class AcceptPhrasing(discord.ui.DynamicItem[discord.ui.Button[Any]],
                     template=r"cb:acc:(?P<key>[0-9a-f]{8}):(?P<topic>[a-z0-9._-]{1,80})"):
    """Under `/claim gaps`: make a phrasing members picked an alias of its topic, in one click."""

    def __init__(self, topic_id: str, key: str, label: str = "\u2713") -> None:
        super().__init__(discord.ui.Button(label=label[:80], style=discord.ButtonStyle.success,
                                           custom_id=f"cb:acc:{key}:{topic_id}"))
        self.topic_id, self.key = topic_id, key

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> AcceptPhrasing:
        return cls(match["topic"], match["key"])

    async def callback(self, interaction: discord.Interaction[ClaimBot]) -> None:  # type: ignore[override]
        if await turned_away(interaction):
            return
        said = speech_for(interaction)
        since = interaction.client.clock() - timedelta(days=interaction.client.settings.question_retention_days)
        linked = await guarded(interaction, Curator(interaction.client.service).accept_candidate,
                               str(interaction.guild_id), self.topic_id, self.key, actor_of(interaction.user), since)
        if linked is not None:
            await respond(interaction, content=clip(linked.say(said, plain)), ephemeral=True)


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
            await self.announce(interaction, change.topic_id, change.summary, claim_id)

    async def announce(self, interaction: discord.Interaction[ClaimBot], topic_id: str, summary: str,
                        claim_id: str) -> None:
        community = str(interaction.guild_id)
        said = speech_for(interaction)
        await respond(interaction, content=clip(said.tr("Saved `{claim}`: {summary}.", claim=claim_id,
                                                         summary=plain(summary))), ephemeral=True)
        try:
            change = await asyncio.to_thread(what_changed, self.service, community, claim_id, summary)
            updated = await refresh_posted_answers(self.bot, community, topic_id, change)
        except Exception:  # noqa: BLE001 - the change is saved and said so: the refresh is only bookkeeping after it
            log.exception("earlier answers about %s in guild %s were not updated", topic_id, community)
            return
        if updated:
            await interaction.followup.send(said.plural("Updated {n} earlier answer in place.",
                                                        "Updated {n} earlier answers in place.", updated),
                                            ephemeral=True)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[ClaimBot]) -> None:
        if not form_expired(interaction):
            return
        said = speech_for(interaction)
        text = said.tr("This form was open too long and has closed; nothing was saved. Open it again with the "
                       "same command.")
        typed = "\n\n".join(typed_values(interaction))
        if not typed:
            await reply_ephemeral(interaction, text)
            return
        shown = said.tr("What you typed, to paste into the new form:")
        inline = f"{text}\n{shown}\n```\n{_fence(typed)}\n```"
        if len(inline) <= MESSAGE_LIMIT:
            await interaction.response.send_message(inline, ephemeral=True)
            return
        attached = said.tr("What you typed is attached, to paste into the new form.")
        await interaction.response.send_message(  # (a long statement: as a file, whole, rather than cut)
            f"{text}\n{attached}", ephemeral=True, file=discord.File(io.BytesIO(typed.encode()), filename="form.txt"))

    # --- commands ------------------------------------------------------------------

    @app_commands.command(name="add", description="Add a party's claim to a topic (opens a form)")
    @app_commands.describe(topic="The topic the claim answers")
    @moderator_only()
    async def add(self, interaction: discord.Interaction[ClaimBot], topic: str) -> None:
        # A modal must be the initial response (it cannot follow a deferral), so this
        # check reads only the claim base in memory: no database, no lock, no wait.
        kb = self.service.cached_knowledge(str(interaction.guild_id))
        if kb is None:
            kb = await before_form(interaction, self.service.knowledge, str(interaction.guild_id))
        if topic not in kb.topics:
            await self._not_here(interaction, "topic", topic)
            return
        await interaction.response.send_modal(ClaimModal(self, topic, speech_for(interaction)))

    async def _not_here(self, interaction: discord.Interaction[ClaimBot], kind: str, record_id: str) -> None:
        """Why a moderator cannot change a record: there is none, or a followed base's (then: fork it)."""
        error = await before_form(interaction, self.curator.missing, str(interaction.guild_id), kind, record_id)
        await reply_ephemeral(interaction, clip(error.say(speech_for(interaction))))

    @app_commands.command(name="edit", description="Correct a claim's text (opens a form)")
    @moderator_only()
    async def edit(self, interaction: discord.Interaction[ClaimBot], claim: str) -> None:
        # The form must be the initial response, so the lookup gets what is left of Discord's
        # deadline; reads never wait for writers (WAL), so it takes milliseconds.
        stored = await before_form(interaction, self.service.record, str(interaction.guild_id), "claim", claim)
        if stored is None:
            await self._not_here(interaction, "claim", claim)
            return
        record = stored.record
        await interaction.response.send_modal(
            EditModal(self, claim, stored.meta.version, record.statement, record.note,  # type: ignore[attr-defined]
                      speech_for(interaction)))

    @app_commands.command(name="translate", description="Translate a claim for members who read another language")
    @app_commands.describe(claim="The claim to translate", language="The language of the translation")
    @app_commands.choices(language=LANGUAGE_CHOICES)
    @moderator_only()
    async def translate(self, interaction: discord.Interaction[ClaimBot], claim: str, language: str) -> None:
        # The form must be the initial response: the lookup gets what is left of the deadline.
        stored = await before_form(interaction, self.service.record, str(interaction.guild_id), "claim", claim)
        said = speech_for(interaction)
        if stored is None or not isinstance(stored.record, Claim):
            await self._not_here(interaction, "claim", claim)
            return
        await interaction.response.send_modal(TranslateModal(self, stored.record, language, said))

    @app_commands.command(name="status", description="Set a claim's verification status")
    @app_commands.describe(status="The new status", verified_by="Who verified it (required for confirmed/false)",
                           note="What the verifier found")
    @app_commands.choices(status=[app_commands.Choice(name=_(STATUS_INFO[s].word), value=s.value) for s in Status])
    @moderator_only()
    async def status(self, interaction: discord.Interaction[ClaimBot], claim: str, status: str,
                     verified_by: app_commands.Range[str, 1, MAX_SHORT] | None = None,
                     note: app_commands.Range[str, 1, MAX_NOTE] | None = None) -> None:
        change = await guarded(interaction, self.curator.set_status, str(interaction.guild_id), claim, status,
                                    actor_of(interaction.user), verified_by=verified_by or "", note=note or "")
        if change is not None:
            await self.announce(interaction, change.topic_id, change.summary, claim)

    @app_commands.command(name="remove", description="Remove a claim (it can be restored)")
    @moderator_only()
    async def remove(self, interaction: discord.Interaction[ClaimBot], claim: str) -> None:
        done = await guarded(interaction, self._remove, str(interaction.guild_id), claim, actor_of(interaction.user))
        if done:  # guarded() has replied if it was refused
            await respond(interaction, content=speech_for(interaction).tr(
                "Removed `{claim}`; `/claim restore` brings it back.", claim=claim), ephemeral=True)

    @app_commands.command(name="restore", description="Bring back a removed claim")
    @moderator_only()
    async def restore(self, interaction: discord.Interaction[ClaimBot], claim: str) -> None:
        done = await guarded(interaction, self._restore, str(interaction.guild_id), claim, actor_of(interaction.user))
        if done:
            await respond(interaction, content=speech_for(interaction).tr("Restored `{claim}`.", claim=claim),
                          ephemeral=True)

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
        community = str(interaction.guild_id)

        def read() -> tuple[list[tuple[str, str]], list[str]]:
            return self.curator.claim_choices(community, text, 15), self.service.answering_bases(community)

        rows, followed = await off_loop(interaction, read, ephemeral=True)
        if not rows:
            said = speech_for(interaction)
            content = said.tr("No claims match \u201c{text}\u201d.", text=plain(text))
            if followed:  # (what its answers show may be a followed base's claims)
                content += "\n" + said.tr("Only this server's own claims are searched. Its answers also come from "
                                           "the claim bases it follows ({names}); `/base fork` makes one this "
                                           "server's own.", names=said.join(followed))
            await respond(interaction, content=clip(content), ephemeral=True)
            return
        lines = [f"`{cid}` — {plain(label)}" for cid, label in rows]
        await respond(interaction, content=clip("\n".join(lines)), ephemeral=True)

    @app_commands.command(name="history", description="Who changed a claim, when, before → after")
    @moderator_only()
    async def history(self, interaction: discord.Interaction[ClaimBot], claim: str) -> None:
        community = str(interaction.guild_id)

        def read() -> tuple[list[str], list[str]]:
            return self.curator.history(community, claim), self.service.answering_bases(community)

        lines, followed = await off_loop(interaction, read, ephemeral=True)
        said = speech_for(interaction)
        text = "\n".join(lines) if lines else said.tr("No history for {claim}.", claim=claim)
        content = f"```\n{_fence(text)}\n```"
        if not lines and followed:  # (the claim may well be a followed base's: its history is its publisher's)
            content += "\n" + said.tr("This server's own claims have none. Its answers also come from the claim "
                                       "bases it follows ({names}), whose history is their publishers'.",
                                       names=said.join(followed))
        await respond(interaction, content=clip(content), ephemeral=True)

    @app_commands.command(name="gaps", description="What members asked that the claim base could not answer")
    @app_commands.describe(days="How far back to look")
    @moderator_only()
    async def gaps(self, interaction: discord.Interaction[ClaimBot],
                   days: app_commands.Range[int, 1, 365] = 30) -> None:
        since = self.bot.clock() - timedelta(days=days)
        gaps = await off_loop(interaction, self.curator.open_gaps, str(interaction.guild_id), since, ephemeral=True)
        said = speech_for(interaction)
        candidates = await off_loop(interaction, self.curator.candidates, str(interaction.guild_id), since,
                                    ephemeral=True)
        if not gaps and not candidates:
            await respond(interaction, content=said.plural("No unanswered questions in the last {n} day.",
                                                           "No unanswered questions in the last {n} days.", days),
                          ephemeral=True)
            return
        parts = []
        if gaps:
            lines = [said.line(f"**{said.number(g.count)}×** {plain(g.example)}") for g in gaps]
            parts.append(said.plural("Most-asked unanswered questions, last {n} day:",
                                     "Most-asked unanswered questions, last {n} days:", days) + "\n"
                         + "\n".join(lines) + "\n" + said.tr("`/claim link` teaches a topic one of them."))
        view = discord.ui.View(timeout=None)
        if candidates:
            shown = candidates[:MAX_ACCEPT_BUTTONS]
            lines = [said.line(f"{said.number(n)}. \u201c{plain(c.question)}\u201d \u2192 {plain(c.topic_title)} "
                               f"({said.number(c.picks)}×)") for n, c in enumerate(shown, 1)]
            parts.append(said.tr("Members picked these topics from \u201cdid you mean\u201d; accept a phrasing "
                                 "and the topic answers it from now on:") + "\n" + "\n".join(lines))
            for n, candidate in enumerate(shown, 1):
                view.add_item(AcceptPhrasing(candidate.topic_id, candidate.key,
                                             said.tr("Accept {number}", number=said.number(n))))
        await respond(interaction, content=clip("\n\n".join(parts)), ephemeral=True,
                      view=view if view.children else discord.utils.MISSING)

    @app_commands.command(name="link", description="Teach a topic a question it could not answer")
    @app_commands.describe(question="The question as members asked it (see /claim gaps)",
                           topic="The topic it is about")
    @moderator_only()
    async def link(self, interaction: discord.Interaction[ClaimBot], question: app_commands.Range[str, 1, MAX_SHORT],
                   topic: str) -> None:
        linked = await guarded(interaction, self.curator.link_question, str(interaction.guild_id), question, topic,
                               actor_of(interaction.user))
        if linked is not None:
            await respond(interaction, content=clip(linked.say(speech_for(interaction), plain)), ephemeral=True)

    @app_commands.command(name="export", description="Download this server's claim base")
    @moderator_only()
    async def export(self, interaction: discord.Interaction[ClaimBot],
                     format: Literal["yaml", "claimreview"] = "yaml") -> None:  # noqa: A002 - the option's name
        community = str(interaction.guild_id)
        await defer(interaction, ephemeral=True)  # a large base takes a while to write out

        def export() -> tuple[bytes, list[str]]:
            if format == "claimreview":
                data = json.dumps(claimreview_jsonld(self.service.knowledge(community), self.service.metas(community)),
                                  ensure_ascii=False, indent=2).encode()
            else:
                data = self.service.export(community).encode()
            return data, self.service.answering_bases(community)

        data, followed = await off_loop(interaction, export, ephemeral=True)
        name = "claimreview.jsonld" if format == "claimreview" else "claims.yaml"
        said = speech_for(interaction)
        content = said.tr("This server's claim base ({format}).", format=format)
        if len(data) > interaction.filesize_limit:
            # More than Discord lets a bot attach here: text compresses about tenfold.
            data, name = await asyncio.to_thread(gzip.compress, data, 6), name + ".gz"
            if len(data) > interaction.filesize_limit:
                await respond(interaction, ephemeral=True, content=said.tr(
                    "The export is too large for Discord to attach here, even compressed. Export it on the "
                    "server instead: claimbot --community {community} export -o claims.yaml", community=community))
                return
            content += "\n" + said.tr("Compressed (gzip): uncompressed, it is larger than Discord lets me attach here.")
        if followed:  # (a server that follows the seed and has no claims of its own gets an empty file: say why)
            content += "\n" + said.tr("It holds this server's own claims only. Answers here also come from the claim "
                                       "bases it follows: {names}. `/base fork` makes one this server's own, to "
                                       "curate and export.", names=said.join(followed))
        await respond(interaction, content=content, file=discord.File(io.BytesIO(data), name), ephemeral=True)

    @app_commands.command(name="import", description="Load a knowledge file: validated, previewed, all or nothing")
    @moderator_only()
    async def import_(self, interaction: discord.Interaction[ClaimBot], file: discord.Attachment) -> None:
        said = speech_for(interaction)
        too_large = said.tr("That file is larger than 5 MB; a knowledge file is plain text.")
        if file.size > MAX_IMPORT_BYTES:
            await reply_ephemeral(interaction, too_large)
            return
        # Downloading, parsing and planning a large file takes seconds: acknowledge first,
        # and do all of it off the event loop.
        await defer(interaction, ephemeral=True)
        try:
            data = await file.read()
        except discord.HTTPException as exc:
            await reply_ephemeral(interaction, said.tr(
                "I could not download `{file}` from Discord ({status}); try uploading it again.",
                file=_name(file.filename), status=str(exc.status)))
            return
        if len(data) > MAX_IMPORT_BYTES:  # the size Discord announced is not a promise
            await reply_ephemeral(interaction, too_large)
            return
        community = str(interaction.guild_id)

        def plan_upload() -> tuple[ImportPlan, list[str]]:
            plan = self.service.plan_upload(community, data, file.filename)
            return plan, self.service.bases_sharing_topics(community, plan)

        try:
            plan, twice = await off_loop(interaction, plan_upload, ephemeral=True)
        except ClaimbotError as exc:
            await reply_ephemeral(interaction, clip(said.tr("Nothing was imported.") +
                                                     f"\n```\n{_fence(exc.say(said))}\n```"))
            return
        if plan.empty:
            await reply_ephemeral(interaction, said.tr("`{file}` changes nothing: {summary}.",
                                                       file=_name(file.filename), summary=plan.summary()))
            return
        preview = "\n".join(f"• {c.action} {c.kind} `{c.id}`" + (f" ({', '.join(c.fields)})" if c.fields else "")
                            for c in plan.changes[:30])
        more = ("\n" + said.plural("… and {n} more", "… and {n} more", len(plan.changes) - 30)
                if len(plan.changes) > 30 else "")
        head = said.tr("`{file}` would change the claim base ({summary}):", file=_name(file.filename),
                       summary=plan.summary())
        if twice:  # (a copy of a followed base, imported by hand: say so before it is written)
            head = said.tr("Some of its topics are also in the claim bases this server follows ({names}): answers "
                           "would offer both. If the file is this server's copy of one, `/base unfollow` it.",
                           names=said.join(twice)) + "\n" + head
        await respond(interaction, content=clip(f"{head}\n{preview}{more}"),
                      view=ImportConfirm(self, interaction, plan, file.filename, said),
                      ephemeral=True)

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
        ids = await within(AUTOCOMPLETE_SECONDS, matcher.complete, current, limit=25)
        return [app_commands.Choice(name=kb.topics[t].title[:100], value=t) for t in ids if t in kb.topics]

    @edit.autocomplete("claim")
    @translate.autocomplete("claim")
    @status.autocomplete("claim")
    @remove.autocomplete("claim")
    @history.autocomplete("claim")
    async def _claims(self, interaction: discord.Interaction[ClaimBot], current: str) -> list[app_commands.Choice[str]]:
        kb = cached_knowledge(self.service, str(interaction.guild_id))
        if kb is None or not moderator_asking(interaction):
            return []
        rows = await within(AUTOCOMPLETE_SECONDS, claim_choices, kb, current)
        return [app_commands.Choice(name=label[:100], value=cid) for cid, label in rows]

    @restore.autocomplete("claim")
    async def _removed(self, interaction: discord.Interaction[ClaimBot],
                       current: str) -> list[app_commands.Choice[str]]:
        if not moderator_asking(interaction):
            return []  # removed claims are for moderators' eyes only
        rows = await within(AUTOCOMPLETE_SECONDS, self.curator.removed_choices, str(interaction.guild_id))
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
    bot.add_dynamic_items(AcceptPhrasing)

