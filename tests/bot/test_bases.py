"""Shared claim bases from Discord: one server publishes, another follows, answers and forks."""

from __future__ import annotations

from typing import Any

from knowledge.curation import Curator
from tests.fakediscord import FakeDiscord

from .conftest import CHANNEL, GUILD, MANAGE_MESSAGES, MEMBER, MODERATOR, SEED, BotFactory, final_reply

FOLLOWER = 700000000000000777
FOLLOWER_CHANNEL = 800000000000000777


async def slash(fake: FakeDiscord, guild: int, channel: int, sub: str, options: dict[str, Any] | None = None, *,
                user: int = MODERATOR, permissions: int = MANAGE_MESSAGES) -> dict[str, Any]:
    seen = len(fake.requests)
    await fake.send_slash(guild, channel, user, "base", options, subcommand=sub, permissions=permissions)
    return (await final_reply(fake, after=seen)).json["data"]


async def ask(fake: FakeDiscord, guild: int, channel: int, question: str) -> dict[str, Any]:
    seen = len(fake.requests)
    await fake.send_slash(guild, channel, MEMBER, "ask", {"question": question})
    return (await final_reply(fake, after=seen)).json["data"]


def text(reply: dict[str, Any]) -> str:
    return (reply.get("content") or "") + " ".join(
        (e.get("description") or "") + " ".join(f["value"] for f in e.get("fields", [])) for e in reply.get("embeds", []))


async def test_a_follower_answers_from_a_published_base_live_and_forks_it(start_bot: BotFactory,
                                                                         fake_discord: FakeDiscord) -> None:
    fake_discord.add_guild(FOLLOWER, "Follower", channels={FOLLOWER_CHANNEL: "general"})
    bot = await start_bot()
    service = bot.service
    # A new server follows the seed base: answered at once, and the answer says from where.
    first = await ask(fake_discord, FOLLOWER, FOLLOWER_CHANNEL, "how many casualties?")
    assert "From the followed claim base \u201cbelgorod-incursion\u201d" in text(first)
    assert service.knowledge(str(FOLLOWER)).topics == {}  # no copy was made

    published = await slash(fake_discord, GUILD, CHANNEL, "publish", {"name": "belgorod-fc"})
    assert "Published as **belgorod-fc**" in published["content"]
    await slash(fake_discord, FOLLOWER, FOLLOWER_CHANNEL, "unfollow", {"name": "belgorod-incursion"})
    followed = await slash(fake_discord, FOLLOWER, FOLLOWER_CHANNEL, "follow", {"name": "belgorod-fc"})
    assert "now answers from **belgorod-fc**" in followed["content"]

    # The publisher's moderators confirm a claim: the follower's next answer shows it.
    Curator(service).set_status(str(GUILD), "gladkov-one-civilian-killed", "confirmed", "mod",
                                verified_by="Reuters")
    answer = await ask(fake_discord, FOLLOWER, FOLLOWER_CHANNEL, "how many casualties?")
    assert "From the followed claim base \u201cbelgorod-fc\u201d" in text(answer) and "Reuters" in text(answer)

    # Members cannot change what the server follows.
    refused = await slash(fake_discord, FOLLOWER, FOLLOWER_CHANNEL, "unfollow", {"name": "belgorod-fc"},
                          user=MEMBER, permissions=0)
    assert "belgorod-fc" in [b.name for b in service.followed_bases(str(FOLLOWER))], refused

    # Forked: the follower's own copy, no longer labelled, and the publisher's changes no longer reach it.
    forked = await slash(fake_discord, FOLLOWER, FOLLOWER_CHANNEL, "fork", {"name": "belgorod-fc"})
    assert "is now this server's own copy" in forked["content"]
    Curator(service).set_status(str(GUILD), "gladkov-one-civilian-killed", "false", "mod", verified_by="AFP")
    mine = await ask(fake_discord, FOLLOWER, FOLLOWER_CHANNEL, "how many casualties?")
    assert "followed claim base" not in text(mine) and "Reuters" in text(mine) and "AFP" not in text(mine)


async def test_export_history_and_search_from_a_server_that_follows_say_what_they_leave_out(
        start_bot: BotFactory, fake_discord: FakeDiscord) -> None:
    fake_discord.add_guild(FOLLOWER, "Follower", channels={FOLLOWER_CHANNEL: "general"})
    await start_bot()
    await ask(fake_discord, FOLLOWER, FOLLOWER_CHANNEL, "how many casualties?")  # (set up: it follows the seed)

    async def claim(sub: str, options: dict[str, Any] | None = None) -> tuple[str, bytes | None]:
        """A moderator's /claim command: the reply's text, and its file if any."""
        seen = len(fake_discord.requests)
        await fake_discord.send_slash(FOLLOWER, FOLLOWER_CHANNEL, MODERATOR, "claim", options, subcommand=sub,
                                      permissions=MANAGE_MESSAGES)
        reply = await final_reply(fake_discord, after=seen)
        return reply.json["data"]["content"], next(iter(reply.files.values()), None)

    # Its own claims are none: the file is empty, and the moderator is told why and what to do …
    content, data = await claim("export")
    assert data is not None and data.startswith(b"claimbot: 2") and b"topics" not in data
    assert "own claims only" in content and "belgorod-incursion" in content and "/base fork" in content
    # … and so for the history and the search of a claim its answers show from the followed base.
    history, _ = await claim("history", {"claim": "russia-70-attackers-killed"})
    assert "No history for russia-70-attackers-killed" in history
    assert "own claims have none" in history and "belgorod-incursion" in history
    found, _ = await claim("search", {"text": "gladkov"})
    assert "No claims match" in found and "Only this server's own claims are searched" in found
    assert "belgorod-incursion" in found
    # The forms that change a claim or add one say whose it is and how to make it this server's.
    for sub, options in [("add", {"topic": "belgorod-casualties"}), ("edit", {"claim": "russia-70-attackers-killed"}),
                         ("translate", {"claim": "russia-70-attackers-killed", "language": "fr"})]:
        refused, _ = await claim(sub, options)
        assert "belongs to the claim base 'belgorod-incursion'" in refused and "/base fork" in refused, sub
    refused, _ = await claim("add", {"topic": "no-such-topic"})
    assert "there is no topic `no-such-topic`" in refused

    # A moderator who uploads a copy of the followed base by hand hears that answers would offer both.
    seen = len(fake_discord.requests)
    await fake_discord.send_slash_with_file(FOLLOWER, FOLLOWER_CHANNEL, MODERATOR, "claim", "import", "file",
                                            "belgorod.yaml", SEED.read_bytes(), permissions=MANAGE_MESSAGES)
    preview = (await final_reply(fake_discord, after=seen)).json["data"]["content"]
    assert "would change the claim base (51 to create" in preview
    assert "also in the claim bases this server follows (belgorod-incursion)" in preview and "/base unfollow" in preview

    # Forked, the claims are its own: in the file and found, and nothing left out to explain.
    await slash(fake_discord, FOLLOWER, FOLLOWER_CHANNEL, "fork", {"name": "belgorod-incursion"})
    content, data = await claim("export")
    assert data is not None and b"belgorod-casualties" in data and "own claims only" not in content
    found, _ = await claim("search", {"text": "gladkov"})
    assert "gladkov-one-civilian-killed" in found and "searched" not in found


async def test_a_bad_base_command_says_why_and_changes_nothing(start_bot: BotFactory,
                                                              fake_discord: FakeDiscord) -> None:
    fake_discord.add_guild(FOLLOWER, "Follower", channels={FOLLOWER_CHANNEL: "general"})
    bot = await start_bot()
    await ask(fake_discord, FOLLOWER, FOLLOWER_CHANNEL, "how many casualties?")  # set up, following the seed
    before = bot.service.followed_bases(str(FOLLOWER))
    refused = await slash(fake_discord, FOLLOWER, FOLLOWER_CHANNEL, "follow", {"name": "[x](https://evil)"})
    assert "Not saved" in refused["content"] and "not a claim base name" in refused["content"]
    assert "evil" not in refused["content"]  # a name that is not one is never echoed: no link forged from it
    assert bot.service.followed_bases(str(FOLLOWER)) == before
    nothing = await slash(fake_discord, FOLLOWER, FOLLOWER_CHANNEL, "publish", {"name": "follower-base"})
    assert "no claims of its own" in nothing["content"]
    assert bot.service.own_base(str(FOLLOWER)) is None


async def test_a_followers_posted_answer_is_updated_when_the_publisher_changes_a_claim(
        start_bot: BotFactory, fake_discord: FakeDiscord) -> None:
    fake_discord.add_guild(FOLLOWER, "Follower", channels={FOLLOWER_CHANNEL: "general"})
    await start_bot()
    await slash(fake_discord, GUILD, CHANNEL, "publish", {"name": "belgorod-fc"})
    await slash(fake_discord, FOLLOWER, FOLLOWER_CHANNEL, "unfollow", {"name": "belgorod-incursion"})
    await slash(fake_discord, FOLLOWER, FOLLOWER_CHANNEL, "follow", {"name": "belgorod-fc"})
    earlier = await ask(fake_discord, FOLLOWER, FOLLOWER_CHANNEL, "how many casualties?")
    assert "belgorod-fc" in text(earlier) and "Reuters" not in text(earlier)
    message_id = fake_discord.last_response_message_id()  # the follower's member got this message
    # The publisher's moderator confirms a claim, in the publisher's server.
    seen = len(fake_discord.requests)
    await fake_discord.send_slash(GUILD, CHANNEL, MODERATOR, "claim", {
        "claim": "gladkov-one-civilian-killed", "status": "confirmed", "verified_by": "Reuters"},
        subcommand="status", permissions=MANAGE_MESSAGES)
    await final_reply(fake_discord, after=seen)
    edit = await fake_discord.wait_for_request("PATCH", rf"/channels/{FOLLOWER_CHANNEL}/messages/{message_id}")
    embed = edit.json["embeds"][0]
    assert "Updated" in embed["description"] and "confirmed (by Reuters)" in embed["description"]
    assert "belgorod-fc" in embed["description"]  # still labelled with the base it comes from
    assert any("Reuters" in f["value"] for f in embed["fields"])
