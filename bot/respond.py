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
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import discord

from knowledge.storage import StoreClosedError

T = TypeVar("T")
log = logging.getLogger(__name__)

# Answer directly only while the answer is expected within this many seconds of Discord
# creating the interaction; otherwise defer first. Generous to the deadline on purpose: a
# shared 2-core machine stalls now and then, and the deferral itself is a round trip.
ANSWER_DIRECTLY_WITHIN = 1.2
# Domain work (matching, reading the claim base) is CPU-bound Python: more threads than
# this only fight the event loop for the GIL, which delays every heartbeat and every
# other member's acknowledgement. Two also keep one free while the other waits on disk.
DOMAIN_THREADS = 2

# While acknowledgements are waiting to go out, domain work pauses (up to this long): in
# a burst, every member must hear "thinking…" within 3 s, and CPU-bound work in a worker
# thread would take the GIL from the event loop that sends those acknowledgements.
ACKNOWLEDGEMENTS_FIRST_FOR = 2.0

# More interactions than this waiting at once is a burst (a big news moment): acknowledge
# each at once and answer when its turn comes, rather than gamble on the queue.
BURST = 4 * DOMAIN_THREADS

_executor = ThreadPoolExecutor(max_workers=DOMAIN_THREADS, thread_name_prefix="claimbot-domain")
_in_flight = 0
_acknowledging = 0  # deferrals decided on and not yet sent
_pause = threading.Event()  # never set: a timed wait that releases the GIL
# How long one piece of domain work takes, smoothed (seconds): with the queue length it
# predicts when an answer would be ready, so a long queue is deferred at once.
_service_time = 0.01


def age(interaction: discord.Interaction[Any]) -> float:
    """Seconds since Discord created the interaction (its id is a timestamp)."""
    return max(0.0, (discord.utils.utcnow() - interaction.created_at).total_seconds())


def expected_ready(interaction: discord.Interaction[Any]) -> float:
    """Seconds after its creation at which this interaction's answer should be ready."""
    if _in_flight > BURST:
        return float("inf")  # a burst: everyone is acknowledged first, answered after
    queued = max(0, _in_flight - DOMAIN_THREADS) / DOMAIN_THREADS
    return age(interaction) + (queued + 1) * _service_time


def _timed(call: Callable[[], T]) -> T:
    global _service_time
    deadline = time.monotonic() + ACKNOWLEDGEMENTS_FIRST_FOR
    while _acknowledging and time.monotonic() < deadline:
        _pause.wait(0.002)  # let the event loop send the acknowledgements first
    started = time.perf_counter()
    try:
        return call()
    finally:
        _service_time = 0.8 * _service_time + 0.2 * (time.perf_counter() - started)


async def off_loop(interaction: discord.Interaction[Any], func: Callable[..., T], *args: Any,
                   ephemeral: bool = False, update: bool = False, **kwargs: Any) -> T:
    """Run `func(*args, **kwargs)` in a worker thread; defer the interaction first if the
    answer might otherwise miss Discord's deadline.

    `ephemeral`: the deferred answer will be seen only by the member (moderator replies).
    `update`: the interaction is a button whose answer edits the message it sits on."""
    global _in_flight, _acknowledging
    _in_flight += 1
    try:
        if not interaction.response.is_done() and expected_ready(interaction) > ANSWER_DIRECTLY_WITHIN:
            # A long queue: acknowledge before queueing, so the acknowledgement does not
            # wait behind the work of everyone ahead.
            _acknowledging += 1
            try:
                await defer(interaction, ephemeral=ephemeral, update=update)
            finally:
                _acknowledging -= 1
        work = _submit(func, *args, **kwargs)
        if not interaction.response.is_done():
            budget = ANSWER_DIRECTLY_WITHIN - age(interaction)
            if budget > 0:
                await asyncio.wait({work}, timeout=budget)
            if not work.done():
                await defer(interaction, ephemeral=ephemeral, update=update)
        return await work
    finally:
        _in_flight -= 1


async def domain_work(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `func(*args, **kwargs)` where commands' domain work runs, for work that has no
    interaction to acknowledge (a message in chat): on the same few threads, after any
    acknowledgement waiting to go out, and counted in the queue that decides when to defer.
    A busy auto-answer channel must not take the GIL from members' commands."""
    global _in_flight
    _in_flight += 1
    try:
        return await _submit(func, *args, **kwargs)
    finally:
        _in_flight -= 1


def _submit(func: Callable[..., T], *args: Any, **kwargs: Any) -> asyncio.Future[T]:
    """Queue domain work on the domain threads, in the caller's context (its contextvars)."""
    call = functools.partial(contextvars.copy_context().run, functools.partial(func, *args, **kwargs))
    return asyncio.get_running_loop().run_in_executor(_executor, _timed, call)


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


async def after_reply(func: Callable[..., Any], *args: Any) -> None:
    """Bookkeeping after the member has their answer (remembering a posted answer, a pick):
    off the loop, and skipped without fuss when the process is shutting down meanwhile."""
    try:
        await asyncio.to_thread(func, *args)
    except StoreClosedError:
        log.debug("shutting down: %s skipped", getattr(func, "__name__", func))
