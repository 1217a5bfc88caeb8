"""Answering an interaction in time, whatever the work costs.

Discord drops an interaction that gets no initial response within 3 seconds ("The
application did not respond"), and the bot's event loop must never run blocking work:
every heartbeat and every other member's command waits behind it. So domain work always
runs in a worker thread, and when it is not done soon — or many commands are already
waiting — the interaction is deferred first ("claimbot is thinking…") and answered when
the work is done. `respond` then sends the answer the right way for whichever happened.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from typing import Any, TypeVar

import discord

T = TypeVar("T")

# Answer directly only while this much of Discord's 3 s is left once the work is done;
# past it, defer. Generous on purpose: a shared 2-core machine stalls for a second now
# and then, and the deferral itself is one more round trip.
ANSWER_DIRECTLY_WITHIN = 1.2
# With this many interactions already waiting for a worker thread, defer at once: the
# queue, not this command, decides when the answer comes.
BUSY_AT = 6

_in_flight = 0


def in_flight() -> int:
    """Interactions whose domain work is running or waiting for a worker thread."""
    return _in_flight


def age(interaction: discord.Interaction[Any]) -> float:
    """Seconds since Discord created the interaction (its id is a timestamp)."""
    return max(0.0, (discord.utils.utcnow() - interaction.created_at).total_seconds())


async def off_loop(interaction: discord.Interaction[Any], func: Callable[..., T], *args: Any,
                   ephemeral: bool = False, update: bool = False, **kwargs: Any) -> T:
    """Run `func(*args, **kwargs)` in a worker thread; defer the interaction first if the
    answer might otherwise miss Discord's deadline.

    `ephemeral`: the deferred answer will be seen only by the member (moderator replies).
    `update`: the interaction is a button whose answer edits the message it sits on."""
    global _in_flight
    call = functools.partial(contextvars.copy_context().run, functools.partial(func, *args, **kwargs))
    work = asyncio.ensure_future(asyncio.get_running_loop().run_in_executor(None, call))
    _in_flight += 1
    try:
        if not interaction.response.is_done():
            budget = 0.0 if _in_flight > BUSY_AT else ANSWER_DIRECTLY_WITHIN - age(interaction)
            if budget > 0:
                await asyncio.wait({work}, timeout=budget)
            if not work.done() and not interaction.response.is_done():
                await defer(interaction, ephemeral=ephemeral, update=update)
        return await work
    finally:
        _in_flight -= 1


async def defer(interaction: discord.Interaction[Any], *, ephemeral: bool = False, update: bool = False) -> None:
    """Acknowledge now, answer later; a no-op when the interaction is already acknowledged."""
    if interaction.response.is_done():
        return
    try:
        if update:
            await interaction.response.defer()  # a button: the later answer edits its message
        else:
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    except discord.InteractionResponded:
        return
    interaction.extras["deferred"] = "update" if update else ("ephemeral" if ephemeral else "public")


async def respond(interaction: discord.Interaction[Any], *, ephemeral: bool = False, update: bool = False,
                  **message: Any) -> int | None:
    """Send the answer to an interaction, whether it was deferred or not; return the id of
    the message that shows it (None when Discord did not say).

    `update`: replace the message the button sits on. `message`: content, embed(s), view,
    file(s), as `send_message` takes them."""
    if not interaction.response.is_done():
        if update:
            await interaction.response.edit_message(**message)
            return interaction.message.id if interaction.message else None
        sent = await interaction.response.send_message(ephemeral=ephemeral, **message)
        return sent.message_id
    deferred = interaction.extras.pop("deferred", None)
    if deferred == "update" and update:
        edited = await interaction.edit_original_response(**_edit_kwargs(message))
        return edited.id
    if deferred in ("public", "ephemeral"):
        if deferred == "ephemeral" or not ephemeral:
            # The "thinking…" placeholder becomes the answer.
            edited = await interaction.edit_original_response(**_edit_kwargs(message))
            return edited.id
        # Deferred in public, but this answer is for the member alone (an error): drop
        # the placeholder rather than show a private message to the channel.
        await interaction.delete_original_response()
    sent_followup = await interaction.followup.send(ephemeral=ephemeral, wait=True, **message)
    return sent_followup.id


async def reply_ephemeral(interaction: discord.Interaction[Any], text: str) -> None:
    """A message for the member alone: an error, a refusal, a confirmation."""
    await respond(interaction, content=text, ephemeral=True)


def _edit_kwargs(message: dict[str, Any]) -> dict[str, Any]:
    # edit_original_response takes attachments=, not file(s)=; and view=MISSING means
    # "leave as is", so a message without buttons must clear them explicitly.
    out = dict(message)
    files = ([out.pop("file")] if "file" in out else []) + list(out.pop("files", []))
    if files:
        out["attachments"] = files
    if out.get("view", discord.utils.MISSING) is discord.utils.MISSING:
        out["view"] = None
    if "embed" not in out and "embeds" not in out:
        out["embeds"] = []
    if "content" not in out:
        out["content"] = None
    return out
