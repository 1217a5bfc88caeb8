"""The bot stays responsive: Discord's 3 s deadline is met and the event loop never blocks,
even when a file is large or another process holds the database's write lock."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.client import ClaimBot
from knowledge.curation import Curator
from tests.fakediscord import FakeDiscord

from .conftest import CHANNEL, GUILD, MANAGE_MESSAGES, MEMBER, MODERATOR, SEED, final_reply


@pytest.fixture
def write_lock_holder(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """Another process (a CLI import, a backup) holding the database's write lock."""
    raw = sqlite3.connect(tmp_path / "bot.sqlite3", isolation_level=None, timeout=0.1)
    yield raw
    if raw.in_transaction:
        raw.execute("ROLLBACK")
    raw.close()


def big_knowledge_file(claims: int) -> bytes:
    """The seed file plus a topic with `claims` long claims: a few megabytes of YAML."""
    lines = [SEED.read_text(encoding="utf-8").rstrip("\n")]
    lines += ["      - id: bulk-topic", "        title: A topic with very many claims?", "        claims:"]
    for n in range(claims):
        lines += [f"          - id: bulk-{n}", "            party: russia",
                  f"            statement: Claim {n}. " + "A long statement about what happened. " * 20,
                  "            sources: [belgorod-article]"]
    return ("\n".join(lines) + "\n").encode()


async def test_a_large_import_is_acknowledged_in_time_and_previewed(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    data = big_knowledge_file(4000)
    assert len(data) > 3_000_000
    seen = len(fake_discord.requests)
    await fake_discord.send_slash_with_file(GUILD, CHANNEL, MODERATOR, "claim", "import", "file", "big.yaml", data,
                                            permissions=MANAGE_MESSAGES)
    preview = (await final_reply(fake_discord, after=seen, timeout=60)).json["data"]
    assert "would change the claim base (4001 to create" in preview["content"]
    # And Discord saw an answer within its deadline (checked for every bot test at teardown).
    assert all(r.response_type is not None for r in fake_discord.interactions.values())


async def test_autocomplete_answers_while_another_process_holds_the_write_lock(
        bot: ClaimBot, fake_discord: FakeDiscord, write_lock_holder: sqlite3.Connection) -> None:
    write_lock_holder.execute("BEGIN IMMEDIATE")
    await fake_discord.send_autocomplete(GUILD, CHANNEL, MODERATOR, "claim", "status", "claim", "gladkov",
                                         permissions=MANAGE_MESSAGES)
    reply = (await final_reply(fake_discord)).json
    assert reply["type"] == 8
    assert "gladkov-one-civilian-killed" in [c["value"] for c in reply["data"]["choices"]]


async def test_members_are_answered_while_another_process_holds_the_write_lock(
        bot: ClaimBot, fake_discord: FakeDiscord, write_lock_holder: sqlite3.Connection) -> None:
    write_lock_holder.execute("BEGIN IMMEDIATE")
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": "how many casualties?"})
    reply = (await final_reply(fake_discord)).json["data"]
    assert reply["embeds"][0]["title"].startswith("How many people were killed")


async def test_a_busy_database_is_a_clear_message_not_an_error(
        bot: ClaimBot, fake_discord: FakeDiscord, write_lock_holder: sqlite3.Connection) -> None:
    bot.service.store.busy_timeout = 0.3  # applies to connections opened from now on
    bot.service.store._db.execute("PRAGMA busy_timeout = 300")
    write_lock_holder.execute("BEGIN IMMEDIATE")
    seen = len(fake_discord.requests)
    await fake_discord.send_slash(GUILD, CHANNEL, MODERATOR, "claim", {"claim": "gladkov-one-civilian-killed",
                                                                      "status": "disputed"},
                                  subcommand="status", permissions=MANAGE_MESSAGES)
    reply = (await final_reply(fake_discord, after=seen)).json["data"]
    assert reply["flags"] & 64 and "busy" in reply["content"] and "try again" in reply["content"]
    write_lock_holder.execute("ROLLBACK")
    claim = bot.service.knowledge(str(GUILD)).claims["gladkov-one-civilian-killed"]
    assert claim.status.value == "unverified"


async def test_removed_claims_are_suggested_to_moderators_only(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    await asyncio.to_thread(Curator(bot.service).remove_claim, str(GUILD), "gladkov-one-civilian-killed", "mod")
    for user, permissions, expected in ((MEMBER, 0, []), (MODERATOR, MANAGE_MESSAGES, ["gladkov-one-civilian-killed"])):
        seen = len(fake_discord.requests)
        await fake_discord.send_autocomplete(GUILD, CHANNEL, user, "claim", "restore", "claim", "",
                                             permissions=permissions)
        reply = (await final_reply(fake_discord, after=seen)).json
        assert [c["value"] for c in reply["data"]["choices"]] == expected
