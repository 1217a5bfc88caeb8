"""Members ask through the real discord.py client, against the local Discord stand-in."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot.client import ClaimBot
from knowledge.models import Claim
from knowledge.storage import Write
from tests.fakediscord import FakeDiscord

from .conftest import AUTO_CHANNEL, CHANNEL, GUILD, MEMBER, BotFactory, final_reply
from .test_curation import slash

CALLBACK = r"/interactions/\d+/[^/]+/callback"
EPHEMERAL = 64


def fields(embed: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed.get("fields", [])}


def assert_casualties_embed(embed: dict[str, Any]) -> None:
    assert embed["title"] == "How many people were killed or injured in the Belgorod raid?"
    parties = list(fields(embed))
    assert parties[:2] == ["Russia (Moscow)", "Russia's defence ministry"]
    assert "Belgorod governor Vyacheslav Gladkov" in parties
    body = "\n".join(fields(embed).values())
    assert body.count("❔ unverified") == 3  # emoji and word, for every version
    assert "One civilian was killed" in body and "dozens" in body
    assert "Unnamed news outlet \\(seed article\\)" in body or "Unnamed news outlet (seed article)" in body
    assert "claims as of " in embed["footer"]["text"]
    # What the status words mean, for readers who do not know the vocabulary.
    assert "❔ unverified: asserted by a party, not independently checked" in embed["footer"]["text"]


async def test_slash_ask_answers_with_every_partys_version(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": "how many casualties?"})
    reply = await final_reply(fake_discord)
    assert reply.json["type"] == 4
    data = reply.json["data"]
    assert_casualties_embed(data["embeds"][0])
    assert data["allowed_mentions"] == {"parse": []}


async def test_mention_gets_the_same_answer_as_a_reply(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    await fake_discord.send_message(GUILD, CHANNEL, MEMBER, "<@900000000000000001> how many casualties?")
    reply = await fake_discord.wait_for_request("POST", rf"/channels/{CHANNEL}/messages")
    assert_casualties_embed(reply.json["embeds"][0])
    assert str(reply.json["message_reference"]["channel_id"]) == str(CHANNEL)
    assert reply.json["allowed_mentions"] == {"parse": [], "replied_user": False}


async def test_auto_answer_channel_answers_confidently_and_ignores_chatter(
    bot: ClaimBot, fake_discord: FakeDiscord
) -> None:
    bot.service.set_auto_answer(str(GUILD), str(AUTO_CHANNEL), True)
    await fake_discord.send_message(GUILD, AUTO_CHANNEL, MEMBER, "lol nice weather today, anyone up for football?")
    await fake_discord.send_message(GUILD, AUTO_CHANNEL, MEMBER, "how many casualties were there")
    reply = await fake_discord.wait_for_request("POST", rf"/channels/{AUTO_CHANNEL}/messages")
    assert_casualties_embed(reply.json["embeds"][0])
    await asyncio.sleep(0.2)
    assert len(fake_discord.matching("POST", rf"/channels/{AUTO_CHANNEL}/messages")) == 1  # the chatter got nothing
    # A channel without auto-answer stays silent on the same question.
    await fake_discord.send_message(GUILD, CHANNEL, MEMBER, "how many casualties were there")
    await asyncio.sleep(0.2)
    assert fake_discord.matching("POST", rf"/channels/{CHANNEL}/messages") == []


async def test_chat_in_an_auto_answer_channel_is_not_kept_for_the_moderators(
    bot: ClaimBot, fake_discord: FakeDiscord
) -> None:
    bot.service.set_auto_answer(str(GUILD), str(AUTO_CHANNEL), True)
    for chat in ("good morning everyone", "my phone number is 555-0123 call me"):
        await fake_discord.send_message(GUILD, AUTO_CHANNEL, MEMBER, chat)
    await fake_discord.send_message(GUILD, AUTO_CHANNEL, MEMBER, "how many casualties were there")
    await fake_discord.wait_for_request("POST", rf"/channels/{AUTO_CHANNEL}/messages")
    gaps = (await slash(fake_discord, "gaps"))["data"]["content"]
    assert "No unanswered questions" in gaps and "555-0123" not in gaps
    # Asked of the bot by name, the same words are a question the moderators should see.
    seen = len(fake_discord.requests)
    await fake_discord.send_message(GUILD, AUTO_CHANNEL, MEMBER, "<@900000000000000001> who won the match?")
    await fake_discord.wait_for_request("POST", rf"/channels/{AUTO_CHANNEL}/messages", after=seen)
    assert "who won the match" in (await slash(fake_discord, "gaps"))["data"]["content"]


async def test_a_reply_to_the_bots_answer_is_not_a_question(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    await fake_discord.send_message(GUILD, CHANNEL, MEMBER, "<@900000000000000001> how many casualties?")
    await fake_discord.wait_for_request("POST", rf"/channels/{CHANNEL}/messages")
    answer = fake_discord.latest_message(CHANNEL)
    # Discord's client pings the replied-to author by default: the bot is in `mentions`, not in the text.
    thanks = await fake_discord.send_message(GUILD, CHANNEL, MEMBER, "thanks!", reply_to=answer)
    assert [int(u["id"]) for u in thanks["mentions"]] == [900000000000000001]
    # Named in a reply, it is asked. Once that answer is out, the "thanks!" before it has
    # long been read: had it been taken for a question, its reply would be here too.
    await fake_discord.send_message(GUILD, CHANNEL, MEMBER, "<@900000000000000001> who were the attackers?",
                                    reply_to=answer)
    for _ in range(50):
        if any(r.json["embeds"] and r.json["embeds"][0].get("title") == "Who were the attackers in the Belgorod raid?"
               for r in fake_discord.matching("POST", rf"/channels/{CHANNEL}/messages")):
            break
        await asyncio.sleep(0.1)
    posted = fake_discord.matching("POST", rf"/channels/{CHANNEL}/messages")
    assert [r.json["embeds"][0]["title"] for r in posted] == [
        "How many people were killed or injured in the Belgorod raid?", "Who were the attackers in the Belgorod raid?"]
    assert "No unanswered questions" in (await slash(fake_discord, "gaps"))["data"]["content"]


async def test_without_read_message_history_the_answer_is_a_plain_message(
    bot: ClaimBot, fake_discord: FakeDiscord
) -> None:
    # A reply needs Read Message History; Send Messages alone still lets the member have the answer.
    fake_discord.fail_next("POST", rf"/channels/{CHANNEL}/messages", 403, 50013, "Missing Permissions")
    await fake_discord.send_message(GUILD, CHANNEL, MEMBER, "<@900000000000000001> how many casualties?")
    for _ in range(50):
        if len(fake_discord.matching("POST", rf"/channels/{CHANNEL}/messages")) == 2:
            break
        await asyncio.sleep(0.1)
    refused, sent = fake_discord.matching("POST", rf"/channels/{CHANNEL}/messages")
    assert "message_reference" in refused.json and "message_reference" not in sent.json
    assert_casualties_embed(sent.json["embeds"][0])


async def test_a_claim_with_everyone_pings_nobody(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    claim = Claim(id="everyone-claim", party="russia", statement="@everyone <@&123> <@456> 500 were killed.",
                  sources=["belgorod-article"])
    bot.service.write(str(GUILD), [Write("claim", claim.id, "create", claim, "belgorod-casualties")], "mod")
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": "how many casualties?"})
    data = (await final_reply(fake_discord)).json["data"]
    assert "@everyone" in json.dumps(data["embeds"])
    assert data["allowed_mentions"] == {"parse": []}


@pytest.mark.parametrize(("question", "hint"), [("   ", "The question is empty"), ("x" * 2100, "keep it under 2,000")])
async def test_empty_or_huge_question_gets_an_ephemeral_hint(
    bot: ClaimBot, fake_discord: FakeDiscord, question: str, hint: str
) -> None:
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": question})
    data = (await final_reply(fake_discord)).json["data"]
    assert hint in data["content"] and data["flags"] & EPHEMERAL


async def test_no_answer_is_honest_and_noted_for_moderators(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": "who won the champions league"})
    data = (await final_reply(fake_discord)).json["data"]
    assert "No sourced claims on that yet" in data["embeds"][0]["description"]
    assert [q.question for q in bot.service.store.questions(str(GUILD), answered=False)] == [
        "who won the champions league"]


async def test_did_you_mean_buttons_replace_the_answer_in_place(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": "what did gladkov say"})
    first = await final_reply(fake_discord)
    data = first.json["data"]
    assert "Did you mean" in data["embeds"][0]["description"]
    buttons = [c for row in data["components"] for c in row["components"]]
    assert buttons and all(b["custom_id"].startswith("cb:t:") for b in buttons)
    message = fake_discord.message_payload(CHANNEL, embeds=data["embeds"], components=data["components"],
                                           guild_id=GUILD)
    picked = buttons[0]["custom_id"].split(":")[3]  # cb:t:<language>:<topic>:<question key>
    seen = len(fake_discord.requests)
    await fake_discord.send_component(GUILD, CHANNEL, MEMBER, buttons[0]["custom_id"], message)
    update = await final_reply(fake_discord, after=seen)
    assert update.json["type"] == 7  # UPDATE_MESSAGE: the same message, now the answer
    assert update.json["data"]["embeds"][0]["title"] == bot.service.knowledge(str(GUILD)).topics[picked].title


async def test_cooldown_is_friendly(start_bot: BotFactory, fake_discord: FakeDiscord) -> None:
    await start_bot(ask_cooldown_seconds=60)
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": "how many casualties?"})
    await final_reply(fake_discord)
    seen = len(fake_discord.requests)
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": "how many casualties?"})
    data = (await final_reply(fake_discord, after=seen)).json["data"]
    assert "you can ask again in" in data["content"] and data["flags"] & EPHEMERAL


@pytest.mark.expect_error_log
async def test_a_failing_command_tells_the_user_and_the_bot_keeps_going(
    bot: ClaimBot, fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_ask = bot.service.ask
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database on fire")
        return real_ask(*args, **kwargs)

    monkeypatch.setattr(bot.service, "ask", flaky)
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": "how many casualties?"})
    data = (await final_reply(fake_discord)).json["data"]
    assert "something went wrong" in data["content"] and data["flags"] & EPHEMERAL
    assert "database on fire" not in data["content"]
    assert any("command /ask failed" in r.getMessage() for r in caplog.records)
    seen = len(fake_discord.requests)
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": "how many casualties?"})
    assert_casualties_embed((await final_reply(fake_discord, after=seen)).json["data"]["embeds"][0])


async def test_a_rate_limited_reply_is_retried(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    fake_discord.rate_limit_next("POST", rf"/channels/{CHANNEL}/messages", retry_after=0.3)
    await fake_discord.send_message(GUILD, CHANNEL, MEMBER, "<@900000000000000001> how many casualties?")
    await fake_discord.wait_for_request("POST", rf"/channels/{CHANNEL}/messages")
    for _ in range(50):
        attempts = fake_discord.matching("POST", rf"/channels/{CHANNEL}/messages")
        if len(attempts) == 2:
            break
        await asyncio.sleep(0.1)
    assert [a.status for a in attempts] == [429, 200]
    assert_casualties_embed(attempts[1].json["embeds"][0])


async def test_a_dropped_gateway_is_resumed_and_the_bot_still_answers(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    await fake_discord.drop_gateway()
    await fake_discord.wait_ready()
    assert (fake_discord.identifies, fake_discord.resumes) == (1, 1)  # resumed, not a new session
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": "how many casualties?"})
    assert_casualties_embed((await final_reply(fake_discord)).json["data"]["embeds"][0])


async def test_a_long_answer_is_paginated_with_buttons(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    community = str(GUILD)
    writes = [
        Write("claim", f"long-{n}", "create",
              Claim(id=f"long-{n}", party="gladkov", statement=f"Report {n}: " + "many details " * 70,
                    sources=["belgorod-article"]), "belgorod-casualties")
        for n in range(12)
    ]
    bot.service.write(community, writes, "mod")
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": "how many casualties?"})
    data = (await final_reply(fake_discord)).json["data"]
    footer = data["embeds"][0]["footer"]["text"]
    assert "page 1/" in footer
    buttons = [c for row in data["components"] for c in row["components"]]
    assert [b["custom_id"] for b in buttons] == ["cb:p:0:en:belgorod-casualties", "cb:p:1:en:belgorod-casualties"]
    message = fake_discord.message_payload(CHANNEL, embeds=data["embeds"], components=data["components"],
                                           guild_id=GUILD)
    seen = len(fake_discord.requests)
    await fake_discord.send_component(GUILD, CHANNEL, MEMBER, buttons[1]["custom_id"], message)
    page2 = (await final_reply(fake_discord, after=seen)).json
    assert page2["type"] == 7 and "page 2/" in page2["data"]["embeds"][0]["footer"]["text"]


async def test_a_moderator_ties_a_channel_to_an_event_by_its_id(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    async def tie(event: str) -> str:
        return (await slash(fake_discord, "event", {"event": event}, command="channel"))["data"]["content"]

    assert "Questions here are now about **Belgorod border incursion" in await tie("belgorod-incursion-2023")
    assert bot.service.channel_settings(str(GUILD), str(CHANNEL)).event_id == "belgorod-incursion-2023"
    assert "did you mean `belgorod-incursion-2023`" in await tie("belgorod-incursion-202")
    assert len(await tie("x" * 5000)) <= 2000  # a pasted wall of text is answered, not a failed send
    assert bot.service.channel_settings(str(GUILD), str(CHANNEL)).event_id == "belgorod-incursion-2023"
