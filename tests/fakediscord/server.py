"""A local stand-in for Discord: the gateway websocket and the REST routes claimbot uses.

The real discord.py client connects to it over loopback (see `point_discord_py_at`).
Tests deliver gateway events (interactions, messages), read back every REST request the
bot made, and make Discord misbehave: answer a route with a 429 as Discord does, fail a
route with 403/404, drop the gateway connection so the client has to RESUME. Messages are
held to Discord's limits (`limits.py`): what Discord would refuse gets Discord's 400.

Discord's clocks are enforced too, so a bot that is slow or blocks its event loop fails
here as it would in production:

* an interaction's initial response (`POST /interactions/{id}/{token}/callback`) must come
  within `interaction_deadline` seconds (3 s, as Discord) of the interaction being sent,
  else `404 Unknown interaction (10062)`; a second one gets `400 (40060)`; follow-ups through
  the interaction webhook need an acknowledged interaction and expire `token_lifetime` later;
* a gateway client must heartbeat at least every `heartbeat_interval_ms` × HEARTBEAT_GRACE (2), else its
  socket is closed with 4000 (a zombied connection) and it has to RESUME.

Sharding is Discord's too: a connection that IDENTIFYs with `shard: [id, count]` holds the
guilds with `(guild_id >> 22) % count == id`, sees only those in READY and GUILD_CREATE, and
gets only their events (DMs and other events without a guild go to shard 0). Each IDENTIFY
is a session of its own (its own sequence numbers, replayed on RESUME); an event for a
shard no connection holds reaches nobody, as when a bot's process is down. `shard_count`
is what `/gateway/bot` recommends.

All these clocks are `time.monotonic()` in the stand-in: they measure real latency, not the
bot's domain clock (which tests move by hand).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from .limits import invalid_form_body, message_problems, modal_problems

DISCORD_EPOCH_MS = 1420070400000
APP_ID = 900000000000000001
BOT_USER_ID = APP_ID
USER_MENTION = re.compile(r"<@!?(\d+)>")
_counter = itertools.count(1)


def snowflake() -> int:
    """A snowflake that encodes *now*: discord.py treats old interaction ids as expired."""
    return ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (next(_counter) & 0x3FFFFF)


def user_payload(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "discriminator": "0", "global_name": name, "avatar": None,
            "bot": bot, "public_flags": 0, "flags": 0}


@dataclass
class Recorded:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    json: Any
    files: dict[str, bytes] = field(default_factory=dict)
    status: int = 200


@dataclass
class _Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class InteractionRecord:
    """One interaction the stand-in sent, and what became of its initial response."""
    id: str
    token: str
    kind: int  # 2 command, 3 component, 4 autocomplete, 5 modal submit
    name: str  # the command's name, or the component's / modal's custom_id
    dispatched_at: float  # time.monotonic() when the stand-in sent it to the gateway
    acknowledged_at: float | None = None  # when an initial response was accepted
    response_type: int | None = None  # the accepted callback's type (4 message, 5/6 deferral, 8, 9 …)

    def age(self) -> float:
        return time.monotonic() - self.dispatched_at


@dataclass
class DeadlineMiss:
    """An initial response that came after the deadline and was refused with 10062."""
    interaction_id: str
    name: str  # command name or custom_id
    late_by: float  # seconds past the deadline at the first late attempt
    elapsed: float  # seconds from dispatch to that attempt
    attempts: int = 1  # late initial-response attempts for this interaction (the bot may retry)


@dataclass
class HeartbeatMiss:
    """A gateway connection that went longer than interval × HEARTBEAT_GRACE without a heartbeat."""
    at: float  # time.monotonic() when the stand-in noticed
    gap: float  # seconds since the previous heartbeat (or since HELLO)
    limit: float  # the allowed gap: interval × HEARTBEAT_GRACE
    connection: int  # the stand-in's number for the connection (1 = first)


@dataclass
class _Session:
    """One IDENTIFY: the shard it holds, and what it was sent (replayed on RESUME)."""
    id: str
    shard: tuple[int, int]  # (shard id, shard count); (0, 1) for a client that does not shard
    ws: web.WebSocketResponse | None = None  # its current connection; None while disconnected
    sequence: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)

    def holds(self, guild_id: int) -> bool:
        shard_id, count = self.shard
        return (guild_id >> 22) % count == shard_id


@dataclass
class _Connection:
    ws: web.WebSocketResponse
    number: int
    limit: float  # seconds allowed between heartbeats on this connection (fixed at HELLO)
    last_beat: float = field(default_factory=time.monotonic)
    zombie: bool = False
    session: _Session | None = None


# Discord closes a connection that misses a heartbeat; discord.py sends its first one right
# after HELLO and then every interval, other clients jitter the first by up to one interval.
# A whole interval of grace tolerates both, and a busy machine (or libfaketime, whose timed
# waits run long), without letting a stalled loop through.
HEARTBEAT_GRACE = 2.0
UNKNOWN_INTERACTION = {"message": "Unknown interaction", "code": 10062}
ALREADY_ACKNOWLEDGED = {"message": "Interaction has already been acknowledged.", "code": 40060}
UNKNOWN_WEBHOOK = {"message": "Unknown Webhook", "code": 10015}
INVALID_WEBHOOK_TOKEN = {"message": "Invalid Webhook Token", "code": 50027}


@dataclass
class Guild:
    id: int
    name: str
    channels: dict[int, str] = field(default_factory=dict)  # id → name
    roles: dict[int, tuple[str, int]] = field(default_factory=dict)  # id → (name, permissions)


class FakeDiscord:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.guilds: dict[int, Guild] = {}
        self.deleted_channels: set[int] = set()
        self.identifies = 0
        self.resumes = 0
        self.identified: list[tuple[int, int]] = []  # the shard (id, count) of every IDENTIFY, in order
        self.shard_count = 1  # what /gateway/bot recommends
        self._failures: list[_Failure] = []
        self._new_request = asyncio.Condition()
        self._sockets: list[web.WebSocketResponse] = []
        self._sessions: dict[str, _Session] = {}  # session id → session
        self._session_numbers = itertools.count(1)
        self._ready = asyncio.Event()
        self._messages: dict[int, dict[str, Any]] = {}
        self._originals: dict[str, int] = {}  # interaction token → its response message id
        self._channel_of: dict[str, int] = {}  # interaction token → its channel
        self.attachments: dict[str, bytes] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0
        # Discord's clocks (see the module docstring); tests lower them to make a miss quick.
        self.interaction_deadline = 3.0  # seconds from dispatch to the initial response
        self.attachment_size_limit = 8 * 1024 * 1024  # what a bot may attach, as interactions announce it
        self.token_lifetime = 15 * 60.0  # seconds the interaction webhook works after acknowledgement
        self.heartbeat_interval_ms = 41250  # sent in HELLO; applies to connections opened afterwards
        self.interactions: dict[str, InteractionRecord] = {}  # interaction id → its record
        self._by_token: dict[str, InteractionRecord] = {}
        # Seconds from dispatch to the first initial response that counted: the accepted one,
        # or the first refused as late (that is the bot's latency too; it is also in deadline_misses).
        self.response_times: dict[str, float] = {}
        self.deadline_misses: list[DeadlineMiss] = []
        self.missed_heartbeats: list[HeartbeatMiss] = []
        self.heartbeats = 0  # heartbeats received and acknowledged
        self._connections = itertools.count(1)

    # --- lifecycle ----------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{name}", self._attachment)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def rest_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # --- test controls ---------------------------------------------------------

    def add_guild(self, guild_id: int, name: str = "Test server", *, channels: dict[int, str] | None = None,
                  roles: dict[int, tuple[str, int]] | None = None) -> Guild:
        guild = Guild(guild_id, name, dict(channels or {guild_id + 1: "general"}), dict(roles or {}))
        self.guilds[guild_id] = guild
        return guild

    def rate_limit_next(self, method: str, path_pattern: str, *, retry_after: float = 0.2) -> None:
        """Answer the next matching call with a 429 exactly as Discord sends one."""
        self._failures.append(_Failure(
            method, re.compile(path_pattern), 429,
            {"message": "You are being rate limited.", "retry_after": retry_after, "global": False},
            {"Via": "1.1 google", "Retry-After": str(max(1, round(retry_after))), "X-RateLimit-Limit": "5",
             "X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": str(retry_after),
             "X-RateLimit-Bucket": "fake-bucket", "X-RateLimit-Scope": "user"},
        ))

    def fail_next(self, method: str, path_pattern: str, status: int, code: int, message: str) -> None:
        self._failures.append(_Failure(method, re.compile(path_pattern), status, {"message": message, "code": code}, {}))

    def last_response_message_id(self) -> int:
        """The id of the message created by the latest interaction response."""
        return list(self._originals.values())[-1]

    def latest_message(self, channel_id: int) -> dict[str, Any]:
        """The newest message in a channel, as Discord holds it (e.g. the bot's reply, to reply to)."""
        return max((m for m in self._messages.values() if int(m["channel_id"]) == channel_id),
                   key=lambda m: int(m["id"]))

    def unanswered(self) -> list[InteractionRecord]:
        """Interactions that have had no initial response at all (not even a late, refused one),
        oldest first. Those answered too late are in `deadline_misses` instead."""
        return [r for r in list(self.interactions.values()) if r.id not in self.response_times]

    def delete_channel(self, channel_id: int) -> None:
        self.deleted_channels.add(channel_id)

    async def drop_gateway(self) -> None:
        """Close the gateway socket abruptly; the client must reconnect and RESUME."""
        self._ready.clear()
        for ws in list(self._sockets):
            await ws.close(code=4000, message=b"dropped by test")

    async def wait_ready(self, timeout: float = 10) -> None:
        await asyncio.wait_for(self._ready.wait(), timeout)

    def shard_of(self, guild_id: int) -> int:
        """The shard that holds a guild when the bot runs `shard_count` shards."""
        return (guild_id >> 22) % self.shard_count

    def connected_shards(self) -> set[int]:
        """The shards some open connection holds (identified or resumed)."""
        return {s.shard[0] for s in self._sessions.values() if s.ws is not None and not s.ws.closed}

    async def wait_for_request(self, method: str, path_pattern: str, *, after: int = 0,
                               timeout: float = 10) -> Recorded:
        """The first request at index >= after matching method and path (a regex, fully matched)."""
        pattern = re.compile(path_pattern)

        def find() -> Recorded | None:
            for r in self.requests[after:]:
                if r.method == method and pattern.fullmatch(r.path):
                    return r
            return None

        async with self._new_request:
            await asyncio.wait_for(self._new_request.wait_for(find), timeout)
        found = find()
        assert found is not None
        return found

    def matching(self, method: str, path_pattern: str) -> list[Recorded]:
        pattern = re.compile(path_pattern)
        return [r for r in self.requests if r.method == method and pattern.fullmatch(r.path)]

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send an event to every session holding its guild's shard (none: nobody gets it)."""
        guild = data.get("guild_id") or (data.get("id") if event in _GUILD_EVENTS else None)
        for session in list(self._sessions.values()):
            if session.holds(int(guild or 0)):
                await self._send(session, event, data)

    async def _send(self, session: _Session, event: str, data: dict[str, Any]) -> None:
        session.sequence += 1
        payload = {"op": 0, "t": event, "s": session.sequence, "d": data}
        session.sent.append(payload)
        if session.ws is not None and not session.ws.closed:
            await session.ws.send_str(json.dumps(payload))

    async def send_slash(self, guild_id: int, channel_id: int, user_id: int, name: str,
                         options: dict[str, Any] | None = None, *, permissions: int = 0,
                         roles: list[int] | None = None, subcommand: str | None = None,
                         channel_options: tuple[str, ...] = (), locale: str = "en-US") -> dict[str, Any]:
        opts = [{"name": k, "type": 7 if k in channel_options else _option_type(v), "value": v}
                for k, v in (options or {}).items()]
        if subcommand is not None:
            opts = [{"name": subcommand, "type": 1, "options": opts}]
        data: dict[str, Any] = {"id": str(snowflake()), "name": name, "type": 1, "options": opts}
        if channel_options:
            # Discord sends the channels an interaction names under "resolved".
            data["resolved"] = {"channels": {
                str(options[k]): {"id": str(options[k]), "type": 0, "name": "channel", "permissions": str((1 << 50) - 1),
                                  "guild_id": str(guild_id), "parent_id": None, "position": 0,
                                  "permission_overwrites": [], "nsfw": False}
                for k in channel_options if options and k in options}}
        return await self._interaction(2, guild_id, channel_id, user_id, data, permissions=permissions, roles=roles,
                                       locale=locale)

    async def send_modal_submit(self, guild_id: int, channel_id: int, user_id: int, custom_id: str,
                                values: dict[str, str], *, permissions: int = 0) -> dict[str, Any]:
        data = {"custom_id": custom_id, "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in values.items()]}
        return await self._interaction(5, guild_id, channel_id, user_id, data, permissions=permissions)

    async def send_autocomplete(self, guild_id: int, channel_id: int, user_id: int, name: str, subcommand: str,
                                option: str, typed: str, *, permissions: int = 0) -> dict[str, Any]:
        opts = [{"name": subcommand, "type": 1, "options": [{"name": option, "type": 3, "value": typed,
                                                             "focused": True}]}]
        data = {"id": str(snowflake()), "name": name, "type": 1, "options": opts}
        return await self._interaction(4, guild_id, channel_id, user_id, data, permissions=permissions)

    async def send_slash_with_file(self, guild_id: int, channel_id: int, user_id: int, name: str, subcommand: str,
                                   option: str, filename: str, content: bytes, *, permissions: int = 0
                                   ) -> dict[str, Any]:
        attachment_id = str(snowflake())
        self.attachments[attachment_id] = content
        attachment = {"id": attachment_id, "filename": filename, "size": len(content),
                      "url": f"http://127.0.0.1:{self.port}/attachments/{attachment_id}",
                      "proxy_url": f"http://127.0.0.1:{self.port}/attachments/{attachment_id}",
                      "content_type": "application/x-yaml"}
        opts = [{"name": subcommand, "type": 1, "options": [{"name": option, "type": 11, "value": attachment_id}]}]
        data = {"id": str(snowflake()), "name": name, "type": 1, "options": opts,
                "resolved": {"attachments": {attachment_id: attachment}}}
        return await self._interaction(2, guild_id, channel_id, user_id, data, permissions=permissions)

    async def send_component(self, guild_id: int, channel_id: int, user_id: int, custom_id: str,
                             message: dict[str, Any], *, permissions: int = 0, locale: str = "en-US") -> dict[str, Any]:
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interaction(3, guild_id, channel_id, user_id, data, permissions=permissions,
                                       message=message, locale=locale)

    async def send_message(self, guild_id: int, channel_id: int, user_id: int, content: str, *,
                           reply_to: dict[str, Any] | None = None, ping: bool = True) -> dict[str, Any]:
        """A member's message. As Discord does, its `mentions` are the users its text mentions
        (`<@id>`) and, for a reply that pings (the default in the client), the replied-to author."""
        message = self.message_payload(channel_id, content, author=user_payload(user_id, f"user{user_id}"),
                                       guild_id=guild_id)
        message["member"] = {"roles": [], "joined_at": _now(), "deaf": False, "mute": False, "flags": 0}
        mentioned = [int(i) for i in dict.fromkeys(USER_MENTION.findall(content))]
        if reply_to is not None:
            message["type"] = 19  # a reply
            message["message_reference"] = {"message_id": reply_to["id"], "channel_id": str(channel_id),
                                            "guild_id": str(guild_id)}
            message["referenced_message"] = reply_to
            if ping:
                mentioned.append(int(reply_to["author"]["id"]))
        message["mentions"] = [user_payload(uid, "claimbot" if uid == BOT_USER_ID else f"user{uid}",
                                            bot=uid == BOT_USER_ID) for uid in dict.fromkeys(mentioned)]
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    async def _interaction(self, kind: int, guild_id: int, channel_id: int, user_id: int, data: dict[str, Any], *,
                           permissions: int, roles: list[int] | None = None,
                           message: dict[str, Any] | None = None, locale: str = "en-US") -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(snowflake()), "application_id": str(APP_ID), "type": kind, "token": f"itoken-{snowflake()}",
            "version": 1, "guild_id": str(guild_id), "channel_id": str(channel_id),
            "channel": {"id": str(channel_id), "type": 0, "guild_id": str(guild_id), "name": "general",
                        "position": 0, "permission_overwrites": [], "nsfw": False, "parent_id": None},
            "member": {"user": user_payload(user_id, f"user{user_id}"), "roles": [str(r) for r in roles or []],
                       "permissions": str(permissions), "joined_at": _now(), "deaf": False, "mute": False,
                       "flags": 0, "pending": False, "nick": None, "avatar": None},
            "data": data, "app_permissions": str((1 << 50) - 1), "locale": locale, "guild_locale": "en-US",
            "entitlements": [], "authorizing_integration_owners": {"0": str(guild_id)}, "context": 0,
            "attachment_size_limit": self.attachment_size_limit,
        }
        if message is not None:
            payload["message"] = message
        self._channel_of[payload["token"]] = channel_id
        name = str(data.get("name") or data.get("custom_id") or "")
        # The deadline runs from the moment Discord sends the interaction: gateway delivery
        # and the bot's queueing count against the bot, as they do in production.
        record = InteractionRecord(payload["id"], payload["token"], kind, name, time.monotonic())
        self.interactions[record.id] = record
        self._by_token[record.token] = record
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    # --- payloads -------------------------------------------------------------

    def message_payload(self, channel_id: int, content: str = "", *, author: dict[str, Any] | None = None,
                        guild_id: int | None = None, embeds: list[Any] | None = None,
                        components: list[Any] | None = None, flags: int = 0) -> dict[str, Any]:
        message = {
            "id": str(snowflake()), "channel_id": str(channel_id), "author": author or user_payload(BOT_USER_ID, "claimbot", bot=True),
            "content": content, "timestamp": _now(), "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
            "embeds": embeds or [], "pinned": False, "type": 0, "flags": flags, "components": components or [],
        }
        if guild_id is not None:
            message["guild_id"] = str(guild_id)
        self._messages[int(message["id"])] = message
        return message

    def _guild_create(self, guild: Guild) -> dict[str, Any]:
        everyone = {"id": str(guild.id), "name": "@everyone", "permissions": str(0x400 | 0x800 | (1 << 31)),
                    "position": 0, "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}
        roles = [everyone] + [
            {"id": str(rid), "name": name, "permissions": str(perms), "position": 1, "color": 0, "hoist": False,
             "managed": False, "mentionable": False, "flags": 0}
            for rid, (name, perms) in guild.roles.items()
        ]
        return {
            "id": str(guild.id), "name": guild.name, "icon": None, "owner_id": "1", "unavailable": False,
            "member_count": 2, "large": False, "features": [], "emojis": [], "stickers": [], "roles": roles,
            "channels": [{"id": str(cid), "type": 0, "name": name, "position": i, "permission_overwrites": [],
                          "nsfw": False, "parent_id": None, "topic": None}
                         for i, (cid, name) in enumerate(guild.channels.items())],
            "members": [{"user": user_payload(BOT_USER_ID, "claimbot", bot=True), "roles": [], "joined_at": _now(),
                         "deaf": False, "mute": False, "flags": 0}],
            "threads": [], "presences": [], "voice_states": [], "stage_instances": [],
            "guild_scheduled_events": [], "soundboard_sounds": [], "verification_level": 0,
            "default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0,
            "premium_tier": 0, "preferred_locale": "en-US", "system_channel_flags": 0, "joined_at": _now(),
        }

    async def _attachment(self, request: web.Request) -> web.Response:
        data = self.attachments.get(request.match_info["name"])
        return web.Response(body=data) if data is not None else web.Response(status=404)

    # --- gateway ----------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        interval_ms = self.heartbeat_interval_ms
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": interval_ms}}))
        conn = _Connection(ws, next(self._connections), interval_ms / 1000 * HEARTBEAT_GRACE)
        watchdog = asyncio.create_task(self._watch_heartbeats(conn))
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                await self._on_frame(conn, frame)
        finally:
            watchdog.cancel()
            self._sockets.remove(ws)
            if conn.session is not None and conn.session.ws is ws:
                conn.session.ws = None  # events meanwhile wait for a RESUME
        return ws

    async def _watch_heartbeats(self, conn: _Connection) -> None:
        """Close a connection that stops heartbeating, as Discord does with a zombie."""
        while not conn.ws.closed and not conn.zombie:
            remaining = conn.last_beat + conn.limit - time.monotonic()
            if remaining > 0:
                await asyncio.sleep(remaining)
                continue
            await self._zombie(conn, time.monotonic() - conn.last_beat)

    async def _zombie(self, conn: _Connection, gap: float) -> None:
        if conn.zombie:
            return
        conn.zombie = True
        self.missed_heartbeats.append(HeartbeatMiss(time.monotonic(), gap, conn.limit, conn.number))
        self._ready.clear()
        await conn.ws.close(code=4000, message=b"heartbeat missed")

    async def _on_frame(self, conn: _Connection, frame: dict[str, Any]) -> None:
        ws = conn.ws
        op = frame.get("op")
        if op == 1:  # heartbeat
            now = time.monotonic()
            # When the stand-in shares the bot's event loop, a blocked loop stalls the
            # watchdog too; the late heartbeat then shows the gap when it finally arrives.
            if now - conn.last_beat > conn.limit:
                await self._zombie(conn, now - conn.last_beat)
                return
            conn.last_beat = now
            self.heartbeats += 1
            await ws.send_str(json.dumps({"op": 11}))
        elif op == 2:  # identify
            self.identifies += 1
            shard_id, count = frame["d"].get("shard") or (0, 1)
            self.identified.append((shard_id, count))
            # A new session replaces a disconnected one of the same shard (a restarted process
            # never resumes its predecessor's); a connected one keeps its events, as Discord would.
            for old in [s for s in self._sessions.values() if s.shard == (shard_id, count) and s.ws is None]:
                del self._sessions[old.id]
            session = _Session(f"fake-session-{next(self._session_numbers)}", (shard_id, count), ws)
            self._sessions[session.id] = session
            conn.session = session
            held = [guild for guild in self.guilds.values() if session.holds(guild.id)]
            ready = {
                "v": 10, "session_id": session.id, "resume_gateway_url": self.gateway_url,
                "user": user_payload(BOT_USER_ID, "claimbot", bot=True), "shard": [shard_id, count],
                "application": {"id": str(APP_ID), "flags": 0},
                "guilds": [{"id": str(guild.id), "unavailable": True} for guild in held],
            }
            await self._send(session, "READY", ready)
            for guild in held:
                await self._send(session, "GUILD_CREATE", self._guild_create(guild))
            self._ready.set()
        elif op == 6:  # resume
            self.resumes += 1
            found = self._sessions.get(frame["d"].get("session_id"))
            if found is None:
                await ws.send_str(json.dumps({"op": 9, "d": False}))  # invalid session: IDENTIFY afresh
                return
            found.ws, conn.session = ws, found
            seq = frame["d"].get("seq") or 0
            for payload in [p for p in found.sent if p["s"] > seq]:
                await ws.send_str(json.dumps(payload))
            found.sequence += 1
            resumed = {"op": 0, "t": "RESUMED", "s": found.sequence, "d": {}}
            found.sent.append(resumed)
            await ws.send_str(json.dumps(resumed))
            self._ready.set()

    # --- REST -------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body: Any = None
        files: dict[str, bytes] = {}
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:  # type: ignore[union-attr]
                raw = await part.read()  # type: ignore[union-attr]
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(raw)
                else:
                    files[part.filename or part.name or "file"] = bytes(raw)  # type: ignore[union-attr]
        elif request.can_read_body:
            text = await request.text()
            body = json.loads(text) if text else None
        record = Recorded(request.method, path, dict(request.query), body, files)
        failure = next((f for f in self._failures if f.method == request.method and f.pattern.fullmatch(path)), None)
        if failure is not None:
            self._failures.remove(failure)
            record.status = failure.status
            response = _json(failure.body, failure.status, failure.headers)
        elif (refusal := self._interaction_refusal(request.method, path)) is not None:
            record.status = refusal[0]
            response = _json(refusal[1], refusal[0])
        elif problems := self._refused(request.method, path, body):
            record.status = 400
            response = _json(invalid_form_body(problems), 400)
        else:
            status, payload = self._route(request.method, path, body, record)
            record.status = status
            response = _json(payload, status) if payload is not None else web.Response(status=status)
        async with self._new_request:
            self.requests.append(record)
            self._new_request.notify_all()
        return response

    def _interaction_refusal(self, method: str, path: str) -> tuple[int, dict[str, Any]] | None:
        """Discord's interaction clocks: what it answers a late, repeated or expired response."""
        now = time.monotonic()
        if method == "POST" and (m := _CALLBACK.fullmatch(path)):
            record = self.interactions.get(m.group(1))
            if record is None or record.token != m.group(2):
                return 404, UNKNOWN_INTERACTION
            if record.acknowledged_at is not None:
                return 400, ALREADY_ACKNOWLEDGED
            elapsed = now - record.dispatched_at
            if elapsed > self.interaction_deadline:
                self.response_times.setdefault(record.id, elapsed)
                miss = next((d for d in self.deadline_misses if d.interaction_id == record.id), None)
                if miss is None:
                    self.deadline_misses.append(
                        DeadlineMiss(record.id, record.name, elapsed - self.interaction_deadline, elapsed))
                else:
                    miss.attempts += 1
                return 404, UNKNOWN_INTERACTION
            return None
        if (m := _WEBHOOK.fullmatch(path)) and (record := self._by_token.get(m.group(1))) is not None:
            if record.acknowledged_at is None:
                return 404, UNKNOWN_WEBHOOK  # no follow-ups before the interaction is acknowledged
            if now - record.acknowledged_at > self.token_lifetime:
                return 401, INVALID_WEBHOOK_TOKEN
        return None

    def _acknowledge(self, interaction_id: str, kind: int | None) -> None:
        record = self.interactions.get(interaction_id)
        if record is not None and record.acknowledged_at is None:
            record.acknowledged_at = time.monotonic()
            record.response_type = kind
            self.response_times.setdefault(record.id, record.acknowledged_at - record.dispatched_at)

    @staticmethod
    def _refused(method: str, path: str, body: Any) -> list[str]:
        """Discord's message limits, for every route that sends or edits a message."""
        if method not in ("POST", "PATCH") or not isinstance(body, dict):
            return []
        if path.endswith("/callback"):
            if body.get("type") == 9:
                return modal_problems(body.get("data"))
            return message_problems(body.get("data")) if body.get("type") in (4, 7) else []
        if "/messages" in path or path.startswith("/webhooks/"):
            return message_problems(body)
        return []

    def _route(self, method: str, path: str, body: Any, record: Recorded) -> tuple[int, Any]:
        for route_method, pattern, handler in self._routes():
            if method == route_method and (m := re.fullmatch(pattern, path)):
                return handler(body, *m.groups())
        return 404, {"message": f"fake Discord has no route {method} {path}", "code": 0}

    def _routes(self) -> list[tuple[str, str, Callable[..., tuple[int, Any]]]]:
        app = {"id": str(APP_ID), "name": "claimbot", "icon": None, "description": "", "bot_public": True,
               "bot_require_code_grant": False, "verify_key": "x", "flags": 0,
               "owner": user_payload(1, "owner"), "team": None}
        gateway = {"url": self.gateway_url, "shards": self.shard_count,
                   "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}}
        return [
            ("GET", r"/users/@me", lambda b: (200, user_payload(BOT_USER_ID, "claimbot", bot=True))),
            ("GET", r"/oauth2/applications/@me", lambda b: (200, app)),
            ("GET", r"/gateway", lambda b: (200, {"url": self.gateway_url})),
            ("GET", r"/gateway/bot", lambda b: (200, gateway)),
            ("PUT", r"/applications/(\d+)/commands", lambda b, a: (200, _commands(b))),
            ("PUT", r"/applications/(\d+)/guilds/(\d+)/commands", lambda b, a, g: (200, _commands(b))),
            ("GET", r"/applications/(\d+)/commands", lambda b, a: (200, [])),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback),
            ("GET", r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)",
             lambda b, a, t, m: (200, self._message_for(self._resolve(t, m)))),
            ("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)",
             lambda b, a, t, m: (200, self._edit(self._resolve(t, m), b))),
            ("DELETE", r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)", lambda b, a, t, m: (204, None)),
            ("POST", r"/webhooks/(\d+)/([^/]+)", lambda b, a, t: (200, self._new_message(0, b))),
            ("POST", r"/channels/(\d+)/messages", self._post_message),
            ("PATCH", r"/channels/(\d+)/messages/(\d+)", self._patch_message),
            ("DELETE", r"/channels/(\d+)/messages/(\d+)", lambda b, c, m: (204, None)),
            ("POST", r"/channels/(\d+)/typing", lambda b, c: (204, None)),
        ]

    def _callback(self, body: Any, interaction_id: str, token: str) -> tuple[int, Any]:
        kind = body.get("type") if isinstance(body, dict) else None
        data = (body or {}).get("data") or {}
        message = self._new_message(self._channel_of.get(token, 0), data) if kind in (4, 5, 7) else None
        if message is not None:
            self._originals[token] = int(message["id"])
        interaction = {"id": interaction_id, "type": 2, "response_message_id": message["id"] if message else None,
                       "response_message_loading": kind == 5,
                       "response_message_ephemeral": bool(data.get("flags", 0) & 64)}
        resource: dict[str, Any] = {"type": kind}
        if message is not None:
            resource["message"] = message
        self._acknowledge(interaction_id, kind)
        return 200, {"interaction": interaction, "resource": resource}

    def _resolve(self, token: str, message_id: str) -> str:
        if message_id == "@original" and token in self._originals:
            return str(self._originals[token])
        return message_id

    def _new_message(self, channel_id: int, body: Any) -> dict[str, Any]:
        body = body or {}
        return self.message_payload(channel_id, body.get("content") or "", embeds=body.get("embeds"),
                                    components=body.get("components"), flags=body.get("flags") or 0)

    def _message_for(self, message_id: str) -> dict[str, Any]:
        if message_id != "@original" and int(message_id) in self._messages:
            return self._messages[int(message_id)]
        return self.message_payload(0)

    def _edit(self, message_id: str, body: Any) -> dict[str, Any]:
        message = dict(self._message_for(message_id))
        for key in ("content", "embeds", "components"):
            if isinstance(body, dict) and key in body:
                message[key] = body[key]
        message["edited_timestamp"] = _now()
        self._messages[int(message["id"])] = message
        return message

    def _post_message(self, body: Any, channel_id: str) -> tuple[int, Any]:
        if int(channel_id) in self.deleted_channels:
            return 404, {"message": "Unknown Channel", "code": 10003}
        return 200, self._new_message(int(channel_id), body)

    def _patch_message(self, body: Any, channel_id: str, message_id: str) -> tuple[int, Any]:
        if int(channel_id) in self.deleted_channels or int(message_id) not in self._messages:
            return 404, {"message": "Unknown Message", "code": 10008}
        return 200, self._edit(message_id, body)


_GUILD_EVENTS = ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE")  # events whose "id" is the guild's
_CALLBACK = re.compile(r"/interactions/(\d+)/([^/]+)/callback")
_WEBHOOK = re.compile(r"/webhooks/\d+/([^/]+)(?:/.*)?")


def _commands(body: Any) -> list[dict[str, Any]]:
    return [{**c, "id": str(snowflake()), "application_id": str(APP_ID), "version": "1"} for c in body or []]


def _option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    return 3


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _json(payload: Any, status: int, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json": discord.py's login breaks on "; charset=utf-8".
    response = web.Response(status=status, body=json.dumps(payload).encode(), headers=headers or {})
    response.headers["Content-Type"] = "application/json"
    return response
