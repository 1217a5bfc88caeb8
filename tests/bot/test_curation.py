"""Moderators curate from Discord, through the real client and the local stand-in."""

from __future__ import annotations

import asyncio
import gzip
import sys
import threading
from datetime import timedelta
from typing import Any

import pytest

from bot.client import ClaimBot
from knowledge.curation import ClaimForm, Curator
from tests.fakediscord import FakeDiscord

from .conftest import CHANNEL, GUILD, MANAGE_MESSAGES, MEMBER, MODERATOR, final_reply

CALLBACK = r"/interactions/\d+/[^/]+/callback"
EPHEMERAL = 64


async def slash(fake: FakeDiscord, sub: str, options: dict[str, Any] | None = None, *, user: int = MODERATOR,
                permissions: int = MANAGE_MESSAGES, command: str = "claim") -> dict[str, Any]:
    seen = len(fake.requests)
    await fake.send_slash(GUILD, CHANNEL, user, command, options, subcommand=sub, permissions=permissions)
    return (await final_reply(fake, after=seen)).json


async def ask(fake: FakeDiscord, question: str) -> dict[str, Any]:
    seen = len(fake.requests)
    await fake.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": question})
    return (await final_reply(fake, after=seen)).json


def body(reply: dict[str, Any]) -> str:
    data = reply["data"]
    return (data.get("content") or "") + " ".join(f["value"] for e in data.get("embeds", []) for f in e.get("fields", []))


async def test_commands_are_for_moderators_by_default(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    # Discord reads who sees a command, and where, from the top-level command only.
    synced = {c["name"]: c for c in fake_discord.matching("PUT", r"/applications/\d+/commands")[-1].json}
    for name in ("claim", "topic", "event", "digest", "channel"):
        assert str(synced[name]["default_member_permissions"]) == str(MANAGE_MESSAGES), name
    # /base list is for every member; none of it, nor /ask, is for direct messages.
    assert synced["base"]["default_member_permissions"] is None
    for command in synced.values():
        assert command.get("contexts") == [0] or command.get("dm_permission") is False, command["name"]


async def test_a_moderator_adds_a_claim_with_the_form_and_members_see_it(bot: ClaimBot,
                                                                        fake_discord: FakeDiscord) -> None:
    reply = await slash(fake_discord, "add", {"topic": "belgorod-casualties"})
    assert reply["type"] == 9  # MODAL
    modal = reply["data"]
    assert modal["custom_id"].startswith("cb:form:")
    seen = len(fake_discord.requests)
    await fake_discord.send_modal_submit(GUILD, CHANNEL, MODERATOR, modal["custom_id"], {
        "party": "Ukrainian officials (Kyiv)", "statement": "No Ukrainian units took part in the raid.",
        "figure": "", "source": "https://example.org/kyiv-statement", "quote": ""}, permissions=MANAGE_MESSAGES)
    saved = (await final_reply(fake_discord, after=seen)).json
    assert "Added" in saved["data"]["content"] and saved["data"]["flags"] & EPHEMERAL
    answer = await ask(fake_discord, "how many casualties?")
    assert "No Ukrainian units took part in the raid." in body(answer)
    assert "Ukrainian officials (Kyiv)" in [f["name"] for f in answer["data"]["embeds"][0]["fields"]]


async def test_a_bad_form_is_refused_with_the_reason_and_nothing_saved(bot: ClaimBot,
                                                                      fake_discord: FakeDiscord) -> None:
    before = bot.service.export(str(GUILD))
    await fake_discord.send_slash(GUILD, CHANNEL, MODERATOR, "claim", {"topic": "belgorod-casualties"},
                                  subcommand="add", permissions=MANAGE_MESSAGES)
    modal = (await final_reply(fake_discord)).json["data"]
    seen = len(fake_discord.requests)
    await fake_discord.send_modal_submit(GUILD, CHANNEL, MODERATOR, modal["custom_id"], {
        "party": "Someone", "statement": "Something.", "figure": "", "source": "not-a-url", "quote": ""},
        permissions=MANAGE_MESSAGES)
    refused = (await final_reply(fake_discord, after=seen)).json["data"]
    assert "Not saved" in refused["content"] and "http(s) URL" in refused["content"]
    assert bot.service.export(str(GUILD)) == before


@pytest.mark.parametrize(("sub", "options"), [
    ("add", {"topic": "belgorod-casualties"}),
    ("status", {"claim": "gladkov-one-civilian-killed", "status": "false", "verified_by": "me"}),
    ("edit", {"claim": "gladkov-one-civilian-killed"}),
    ("remove", {"claim": "gladkov-one-civilian-killed"}),
    ("restore", {"claim": "gladkov-one-civilian-killed"}),
    ("history", {"claim": "gladkov-one-civilian-killed"}),
    ("gaps", {}),
    ("search", {"text": "gladkov"}),
    ("export", {}),
])
async def test_a_member_without_the_role_is_refused_every_command(bot: ClaimBot, fake_discord: FakeDiscord,
                                                                   sub: str, options: dict[str, Any]) -> None:
    before = bot.service.export(str(GUILD))
    reply = await slash(fake_discord, sub, options, user=MEMBER, permissions=0)
    assert reply["type"] == 4 and reply["data"]["flags"] & EPHEMERAL
    assert "Only moderators can do this" in reply["data"]["content"]
    assert bot.service.export(str(GUILD)) == before


async def test_a_claim_id_that_is_markdown_stays_inside_the_history_block(bot: ClaimBot,
                                                                          fake_discord: FakeDiscord) -> None:
    reply = await slash(fake_discord, "history", {"claim": "x```\n@everyone [click](https://evil.example)"})
    content = reply["data"]["content"]
    assert "No history for" in content
    assert content.count("```") == 2 and content.startswith("```") and content.endswith("```")  # one block, closed


async def test_status_change_is_in_history_and_updates_earlier_answers(bot: ClaimBot,
                                                                      fake_discord: FakeDiscord) -> None:
    earlier = await ask(fake_discord, "how many casualties?")
    assert "✅ confirmed" not in body(earlier)
    message_id = fake_discord.last_response_message_id()  # the message the member got
    reply = await slash(fake_discord, "status", {"claim": "gladkov-one-civilian-killed", "status": "confirmed",
                                                 "verified_by": "Reuters"})
    assert "status unverified → confirmed (by Reuters)" in reply["data"]["content"]
    edit = await fake_discord.wait_for_request("PATCH", rf"/channels/{CHANNEL}/messages/{message_id}")
    embed = edit.json["embeds"][0]
    assert "Updated" in embed["description"] and "confirmed (by Reuters)" in embed["description"]
    assert any("✅ confirmed" in f["value"] and "Reuters" in f["value"] for f in embed["fields"])
    history = await slash(fake_discord, "history", {"claim": "gladkov-one-civilian-killed"})
    assert f"discord:{MODERATOR} changed claim gladkov-one-civilian-killed (v2)" in history["data"]["content"]
    assert "status: unverified → confirmed" in history["data"]["content"]


async def test_a_conflicting_edit_is_refused(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    form = await slash(fake_discord, "edit", {"claim": "gladkov-one-civilian-killed"})
    assert form["type"] == 9
    # Meanwhile another moderator changes the same claim.
    await slash(fake_discord, "status", {"claim": "gladkov-one-civilian-killed", "status": "disputed"}, user=MEMBER + 99)
    seen = len(fake_discord.requests)
    await fake_discord.send_modal_submit(GUILD, CHANNEL, MODERATOR, form["data"]["custom_id"], {
        "statement": "One civilian was killed.", "note": ""}, permissions=MANAGE_MESSAGES)
    refused = (await final_reply(fake_discord, after=seen)).json["data"]
    assert "Not saved" in refused["content"] and "reload it" in refused["content"]
    claim = bot.service.knowledge(str(GUILD)).claims["gladkov-one-civilian-killed"]
    assert claim.status.value == "disputed" and claim.statement.startswith("One civilian was killed and")


def embed_size(embed: dict[str, Any]) -> int:
    return (len(embed.get("title", "")) + len(embed.get("description", "")) + len(embed["footer"]["text"])
            + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"]))


async def test_an_answer_as_long_as_a_page_is_still_updated_in_place(bot: ClaimBot,
                                                                    fake_discord: FakeDiscord) -> None:
    curator = Curator(bot.service)
    event = curator.add_event(str(GUILD), "Kursk incursion", "2024-08-06", "mod")
    topic = curator.add_topic(str(GUILD), event.id, "How many soldiers were captured in Kursk?", "mod", "")
    claims = [curator.add_claim(str(GUILD), ClaimForm(
        topic_id=topic.id, party=f"Party number {i} " + "x" * 150, statement=f"Statement {i} " + "word " * 40,
        source_url=f"https://src{i}.example/a"), "mod").id for i in range(30)]
    answer = await ask(fake_discord, "How many soldiers were captured in Kursk?")
    assert embed_size(answer["data"]["embeds"][0]) > 5400  # a full first page: no room left for a long note
    message_id = fake_discord.last_response_message_id()
    saved = await slash(fake_discord, "status", {"claim": claims[0], "status": "confirmed", "verified_by": "V" * 150})
    assert "Saved" in saved["data"]["content"]
    edit = await fake_discord.wait_for_request("PATCH", rf"/channels/{CHANNEL}/messages/{message_id}")
    assert edit.status == 200 and embed_size(edit.json["embeds"][0]) <= 6000
    assert "Updated" in edit.json["embeds"][0]["description"]


async def test_one_answer_that_cannot_be_edited_does_not_stop_the_others(bot: ClaimBot,
                                                                         fake_discord: FakeDiscord) -> None:
    await ask(fake_discord, "how many casualties?")
    first = fake_discord.last_response_message_id()
    await ask(fake_discord, "how many people died in belgorod")
    second = fake_discord.last_response_message_id()
    # e.g. the first answer sits in a thread archived since
    fake_discord.fail_next("PATCH", rf"/channels/{CHANNEL}/messages/{first}", 400, 50083, "Thread is archived")
    seen = len(fake_discord.requests)
    saved = await slash(fake_discord, "status", {"claim": "gladkov-one-civilian-killed", "status": "disputed"})
    assert "Saved" in saved["data"]["content"]
    edit = await fake_discord.wait_for_request("PATCH", rf"/channels/{CHANNEL}/messages/{second}", after=seen)
    assert "⚖️ disputed" in "".join(f["value"] for f in edit.json["embeds"][0]["fields"])
    await asyncio.sleep(0.3)
    followups = [r.json for r in fake_discord.requests[seen:] if r.method == "POST" and r.path.startswith("/webhooks")]
    assert not any("went wrong" in (f or {}).get("content", "") for f in followups)


async def test_an_export_larger_than_discord_takes_is_sent_compressed(bot: ClaimBot,
                                                                      fake_discord: FakeDiscord) -> None:
    whole = bot.service.export(str(GUILD)).encode()
    fake_discord.attachment_size_limit = len(whole) // 2  # a server without boosts, a base that grew
    seen = len(fake_discord.requests)
    await fake_discord.send_slash(GUILD, CHANNEL, MODERATOR, "claim", None, subcommand="export",
                                  permissions=MANAGE_MESSAGES)
    export = await final_reply(fake_discord, after=seen)
    ((name, data),) = export.files.items()
    assert name == "claims.yaml.gz" and gzip.decompress(data) == whole and "Compressed (gzip)" in export.json["data"]["content"]
    fake_discord.attachment_size_limit = 1000  # not even compressed
    seen = len(fake_discord.requests)
    await fake_discord.send_slash(GUILD, CHANNEL, MODERATOR, "claim", None, subcommand="export",
                                  permissions=MANAGE_MESSAGES)
    refused = await final_reply(fake_discord, after=seen)
    assert not refused.files and f"claimbot --community {GUILD} export" in refused.json["data"]["content"]


async def test_export_then_import_changes_nothing(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    seen = len(fake_discord.requests)
    await fake_discord.send_slash(GUILD, CHANNEL, MODERATOR, "claim", None, subcommand="export",
                                  permissions=MANAGE_MESSAGES)
    export = await final_reply(fake_discord, after=seen)
    reply = export.json
    (data,) = export.files.values()
    assert reply["data"]["flags"] & EPHEMERAL and data.startswith(b"claimbot: 2")
    seen = len(fake_discord.requests)
    await fake_discord.send_slash_with_file(GUILD, CHANNEL, MODERATOR, "claim", "import", "file", "claims.yaml", data,
                                            permissions=MANAGE_MESSAGES)
    result = (await final_reply(fake_discord, after=seen)).json["data"]
    assert "changes nothing" in result["content"]


async def test_import_previews_then_writes_on_confirm(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    exported = bot.service.export(str(GUILD)).replace("70 attackers were killed.", "Over 70 attackers were killed.")
    seen = len(fake_discord.requests)
    await fake_discord.send_slash_with_file(GUILD, CHANNEL, MODERATOR, "claim", "import", "file", "new.yaml",
                                            exported.encode(), permissions=MANAGE_MESSAGES)
    preview = (await final_reply(fake_discord, after=seen)).json["data"]
    assert "would change the claim base (1 to update" in preview["content"] and "`russia-70-attackers-killed` (statement)" in preview["content"]
    assert "Over 70" not in bot.service.export(str(GUILD))  # nothing written before confirming
    buttons = [c for row in preview["components"] for c in row["components"]]
    message = fake_discord.message_payload(CHANNEL, preview["content"], components=preview["components"],
                                           guild_id=GUILD)
    message["id"] = str(fake_discord.last_response_message_id())
    seen = len(fake_discord.requests)
    await fake_discord.send_component(GUILD, CHANNEL, MODERATOR, buttons[0]["custom_id"], message,
                                      permissions=MANAGE_MESSAGES)
    done = (await final_reply(fake_discord, after=seen)).json
    assert done["type"] == 7 and "Imported `new.yaml`: 1 updated, 50 unchanged" in done["data"]["content"]
    assert "Over 70 attackers were killed." in bot.service.export(str(GUILD))


ADD_FORM = {"party": "Ukrainian officials (Kyiv)", "figure": "", "source": "https://example.org/kyiv", "quote": ""}


async def submit(fake: FakeDiscord, custom_id: str, values: dict[str, str], *, user: int = MODERATOR,
                 permissions: int = MANAGE_MESSAGES) -> dict[str, Any]:
    seen = len(fake.requests)
    await fake.send_modal_submit(GUILD, CHANNEL, user, custom_id, values, permissions=permissions)
    return (await final_reply(fake, after=seen)).json["data"]


async def test_two_moderators_fill_in_the_same_form_at_once_and_both_are_saved(bot: ClaimBot,
                                                                             fake_discord: FakeDiscord) -> None:
    first = (await slash(fake_discord, "add", {"topic": "belgorod-casualties"}))["data"]["custom_id"]
    second = (await slash(fake_discord, "add", {"topic": "belgorod-casualties"}, user=MODERATOR + 1))["data"]
    assert second["custom_id"] != first
    for custom_id, user, statement in [(first, MODERATOR, "First moderator's claim."),
                                       (second["custom_id"], MODERATOR + 1, "Second moderator's claim.")]:
        saved = await submit(fake_discord, custom_id, {**ADD_FORM, "statement": statement}, user=user)
        assert "Added" in saved["content"]
    statements = [c.statement for c in bot.service.knowledge(str(GUILD)).claims.values()]
    assert "First moderator's claim." in statements and "Second moderator's claim." in statements


async def test_a_form_is_checked_again_when_it_comes_back(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    form = (await slash(fake_discord, "add", {"topic": "belgorod-casualties"}))["data"]["custom_id"]
    before = bot.service.export(str(GUILD))
    refused = await submit(fake_discord, form, {**ADD_FORM, "statement": "Forged."}, user=MEMBER, permissions=0)
    assert "Only moderators can do this" in refused["content"] and refused["flags"] & EPHEMERAL
    assert bot.service.export(str(GUILD)) == before


async def test_a_form_left_open_too_long_gives_back_what_was_typed(bot: ClaimBot, fake_discord: FakeDiscord,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # (the module discord.py loaded as the extension: the one whose forms the bot opens)
    monkeypatch.setattr(sys.modules["bot.cogs.curation"], "FORM_TIMEOUT", 0.2)
    form = (await slash(fake_discord, "add", {"topic": "belgorod-casualties"}))["data"]["custom_id"]
    await asyncio.sleep(0.6)
    before = bot.service.export(str(GUILD))
    late = await submit(fake_discord, form, {**ADD_FORM, "statement": "Typed with care, then lunch."})
    assert "has closed; nothing was saved" in late["content"] and late["flags"] & EPHEMERAL
    assert "Typed with care, then lunch." in late["content"] and "https://example.org/kyiv" in late["content"]
    assert bot.service.export(str(GUILD)) == before
    # A long statement comes back whole, as a file.
    form = (await slash(fake_discord, "add", {"topic": "belgorod-casualties"}))["data"]["custom_id"]
    await asyncio.sleep(0.6)
    seen = len(fake_discord.requests)
    await fake_discord.send_modal_submit(GUILD, CHANNEL, MODERATOR, form, {**ADD_FORM, "statement": "word " * 700},
                                         permissions=MANAGE_MESSAGES)
    reply = await final_reply(fake_discord, after=seen)
    (attached,) = reply.files.values()
    assert attached.decode().count("word") == 700


async def test_a_form_opened_before_a_restart_gives_back_what_was_typed(bot: ClaimBot,
                                                                        fake_discord: FakeDiscord) -> None:
    # A form id this process never opened: the bot restarted while the moderator was typing.
    late = await submit(fake_discord, "cb:form:0123456789abcdef", {**ADD_FORM, "statement": "Typed before a deploy."})
    assert "has closed; nothing was saved" in late["content"] and "Typed before a deploy." in late["content"]
    # An id of no form of claimbot's is none of this listener's business.
    seen = len(fake_discord.requests)
    await fake_discord.send_modal_submit(GUILD, CHANNEL, MODERATOR, "someone-else:form", {"x": "y"},
                                         permissions=MANAGE_MESSAGES)
    await asyncio.sleep(0.3)
    assert not [r for r in fake_discord.requests[seen:] if r.path.endswith("/callback")]


async def test_an_import_preview_left_too_long_says_it_expired(bot: ClaimBot, fake_discord: FakeDiscord,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules["bot.cogs.curation"], "IMPORT_CONFIRM_SECONDS", 0.3)
    exported = bot.service.export(str(GUILD)).replace("70 attackers were killed.", "Over 70 attackers were killed.")
    seen = len(fake_discord.requests)
    await fake_discord.send_slash_with_file(GUILD, CHANNEL, MODERATOR, "claim", "import", "file", "new.yaml",
                                            exported.encode(), permissions=MANAGE_MESSAGES)
    preview = (await final_reply(fake_discord, after=seen)).json["data"]
    assert preview["components"]  # Import / Cancel
    for _ in range(50):
        edits = [r.json for r in fake_discord.matching("PATCH", r"/webhooks/\d+/[^/]+/messages/@original")]
        if any("expired" in (e.get("content") or "") for e in edits):
            break
        await asyncio.sleep(0.1)
    expired = edits[-1]
    assert "expired" in expired["content"] and "nothing was imported" in expired["content"]
    assert expired["components"] == []  # no button left that would fail
    assert "Over 70" not in bot.service.export(str(GUILD))


async def test_a_malformed_import_names_line_and_field_and_changes_nothing(bot: ClaimBot,
                                                                          fake_discord: FakeDiscord) -> None:
    before = bot.service.export(str(GUILD))
    bad = before.replace("status: confirmed", "status: sure").encode()
    seen = len(fake_discord.requests)
    await fake_discord.send_slash_with_file(GUILD, CHANNEL, MODERATOR, "claim", "import", "file", "bad.yaml", bad,
                                            permissions=MANAGE_MESSAGES)
    reply = (await final_reply(fake_discord, after=seen)).json["data"]
    assert "Nothing was imported" in reply["content"] and "bad.yaml:" in reply["content"]
    assert ".status: unknown value 'sure'" in reply["content"]
    assert bot.service.export(str(GUILD)) == before


async def test_autocomplete_offers_the_right_topics(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    await fake_discord.send_autocomplete(GUILD, CHANNEL, MODERATOR, "claim", "add", "topic", "fsb buildng",
                                         permissions=MANAGE_MESSAGES)
    reply = (await final_reply(fake_discord)).json
    assert reply["type"] == 8
    choices = reply["data"]["choices"]
    assert choices[0]["value"] == "belgorod-fsb-building" and len(choices) <= 25


async def test_gaps_list_unanswered_questions(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    for q in ("who won the match", "who won the match?", "capital of peru"):
        await ask(fake_discord, q)
    reply = await slash(fake_discord, "gaps")
    content = reply["data"]["content"]
    assert "**2×** who won the match?" in content and "**1×** capital of peru" in content


async def test_a_linked_gap_is_answered_at_once_and_leaves_the_gaps(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    question = "any word on sabotage groups"
    assert (await ask(fake_discord, question))["data"]["embeds"][0].get("title") is None  # not answered
    assert question in (await slash(fake_discord, "gaps"))["data"]["content"]
    done = await slash(fake_discord, "link", {"question": question, "topic": "belgorod-attackers-identity"})
    assert done["data"]["flags"] & EPHEMERAL and "learnt" in done["data"]["content"]
    answer = (await ask(fake_discord, question))["data"]["embeds"][0]
    assert answer["title"] == "Who were the attackers in the Belgorod raid?"
    assert "No unanswered questions" in (await slash(fake_discord, "gaps"))["data"]["content"]
    refused = await slash(fake_discord, "link", {"question": question, "topic": "belgorod-attackers-identity"},
                          user=MEMBER, permissions=0)
    assert refused["data"]["flags"] & EPHEMERAL and "Only moderators" in refused["data"]["content"]


async def test_the_configured_moderator_role_may_curate(start_bot: Any, fake_discord: FakeDiscord) -> None:
    role = 700000000000000099
    fake_discord.guilds[GUILD].roles[role] = ("Fact checkers", 0)
    bot = await start_bot(moderator_role="Fact checkers")
    seen = len(fake_discord.requests)
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "claim", {"claim": "gladkov-one-civilian-killed",
                                  "status": "disputed"}, subcommand="status", permissions=0, roles=[role])
    reply = (await final_reply(fake_discord, after=seen)).json["data"]
    assert "Saved" in reply["content"]
    assert bot.service.knowledge(str(GUILD)).claims["gladkov-one-civilian-killed"].status.value == "disputed"


async def test_search_lists_matching_claims(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    reply = await slash(fake_discord, "search", {"text": "gladkov civilian"})
    assert reply["data"]["content"].startswith("`gladkov-one-civilian-killed`")


async def test_a_moderator_adds_an_event_and_a_topic_then_members_can_ask(bot: ClaimBot,
                                                                         fake_discord: FakeDiscord) -> None:
    reply = await slash(fake_discord, "add", {"title": "Shebekino shelling", "date": "2023-06-01"}, command="event")
    assert reply["data"]["content"] == "Added event `shebekino-shelling-2023`: Shebekino shelling."
    seen = len(fake_discord.requests)
    await fake_discord.send_slash(GUILD, CHANNEL, MODERATOR, "topic", {
        "event": "shebekino-shelling-2023", "title": "Was the Shebekino power station shelled?"},
        subcommand="add", permissions=MANAGE_MESSAGES)
    added = (await final_reply(fake_discord, after=seen)).json["data"]["content"]
    assert "Added topic `was-the-shebekino-power-station-shelled`" in added
    # A topic without claims has nothing sourced to show yet …
    empty = await ask(fake_discord, "was the shebekino power station shelled")
    assert "No sourced claims" in empty["data"]["embeds"][0]["description"]
    # … until a moderator adds a party's version.
    Curator(bot.service).add_claim(str(GUILD), ClaimForm("was-the-shebekino-power-station-shelled", "Gladkov",
                                                         "The power station was hit.", "https://example.org/s"), "m")
    assert "The power station was hit." in body(await ask(fake_discord, "was the shebekino power station shelled"))
    bad = await slash(fake_discord, "add", {"title": "Something", "date": "June 1st"}, command="event")
    assert "write it as YYYY-MM-DD" in bad["data"]["content"]


async def test_topic_and_event_commands_are_for_moderators(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    reply = await slash(fake_discord, "add", {"title": "X", "date": "2023-06-01"}, user=MEMBER, permissions=0,
                        command="event")
    assert "Only moderators can do this" in reply["data"]["content"]


async def test_an_import_confirmed_after_someone_else_edited_imports_nothing(bot: ClaimBot,
                                                                            fake_discord: FakeDiscord) -> None:
    exported = bot.service.export(str(GUILD)).replace("70 attackers were killed.", "Over 70 attackers were killed.")
    seen = len(fake_discord.requests)
    await fake_discord.send_slash_with_file(GUILD, CHANNEL, MODERATOR, "claim", "import", "file", "new.yaml",
                                            exported.encode(), permissions=MANAGE_MESSAGES)
    preview = (await final_reply(fake_discord, after=seen)).json["data"]
    # Another moderator edits the same claim before the first one confirms.
    Curator(bot.service).edit_claim(str(GUILD), "russia-70-attackers-killed", "discord:42", note="checked")
    message = fake_discord.message_payload(CHANNEL, preview["content"], components=preview["components"],
                                           guild_id=GUILD)
    message["id"] = str(fake_discord.last_response_message_id())
    buttons = [c for row in preview["components"] for c in row["components"]]
    seen = len(fake_discord.requests)
    await fake_discord.send_component(GUILD, CHANNEL, MODERATOR, buttons[0]["custom_id"], message,
                                      permissions=MANAGE_MESSAGES)
    done = (await final_reply(fake_discord, after=seen)).json["data"]
    assert "Nothing was imported" in done["content"] and "changed by discord:42" in done["content"]
    claim = bot.service.knowledge(str(GUILD)).claims["russia-70-attackers-killed"]
    assert claim.statement == "70 attackers were killed." and claim.note == "checked"


async def test_a_did_you_mean_pick_waits_in_gaps_and_one_click_teaches_it(bot: ClaimBot,
                                                                          fake_discord: FakeDiscord) -> None:
    question = "what did gladkov say"
    offered = await ask(fake_discord, question)
    buttons = [c for row in offered["data"]["components"] for c in row["components"]]
    pick = next(b for b in buttons if b["custom_id"].split(":")[3] == "belgorod-casualties")
    message = fake_discord.message_payload(CHANNEL, embeds=offered["data"]["embeds"],
                                           components=offered["data"]["components"], guild_id=GUILD)
    seen = len(fake_discord.requests)
    await fake_discord.send_component(GUILD, CHANNEL, MEMBER, pick["custom_id"], message)
    await final_reply(fake_discord, after=seen)
    for _ in range(100):  # the pick is recorded just after the member sees the answer
        if bot.service.candidate_phrasings(str(GUILD), since=bot.clock() - timedelta(days=1)):
            break
        await asyncio.sleep(0.02)
    gaps = await slash(fake_discord, "gaps")
    assert f"\u201c{question}\u201d" in gaps["data"]["content"]
    accept = gaps["data"]["components"][0]["components"][0]
    assert accept["custom_id"].startswith("cb:acc:") and accept["custom_id"].endswith(":belgorod-casualties")
    gaps_message = fake_discord.message_payload(CHANNEL, content=gaps["data"]["content"],
                                                components=gaps["data"]["components"], guild_id=GUILD)
    # A member who somehow presses it is refused; nothing is learnt.
    seen = len(fake_discord.requests)
    await fake_discord.send_component(GUILD, CHANNEL, MEMBER, accept["custom_id"], gaps_message)
    refused = (await final_reply(fake_discord, after=seen)).json["data"]
    assert "Only moderators" in refused["content"]
    assert question not in bot.service.knowledge(str(GUILD)).topics["belgorod-casualties"].aliases
    seen = len(fake_discord.requests)
    await fake_discord.send_component(GUILD, CHANNEL, MODERATOR, accept["custom_id"], gaps_message,
                                      permissions=MANAGE_MESSAGES)
    learnt = (await final_reply(fake_discord, after=seen)).json["data"]
    assert "learnt" in learnt["content"]
    answer = await ask(fake_discord, question)
    assert answer["data"]["embeds"][0]["title"] == "How many people were killed or injured in the Belgorod raid?"
    assert "did you mean" not in (await slash(fake_discord, "gaps"))["data"]["content"]


async def test_a_form_whose_lookup_is_slow_says_try_again_in_time(bot: ClaimBot, fake_discord: FakeDiscord,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # A form must be the first response, within Discord's 3 s: a lookup stuck behind the
    # database gets what is left of them, and then the moderator hears why, still in time.
    real = bot.service.record

    def stuck(*args: Any) -> Any:
        threading.Event().wait(3.5)  # (a timed wait, as the database's: time.sleep fails under libfaketime)
        return real(*args)

    monkeypatch.setattr(bot.service, "record", stuck)
    reply = await slash(fake_discord, "edit", {"claim": "gladkov-one-civilian-killed"})
    assert "busy right now; run the command again" in reply["data"]["content"]
    assert reply["data"]["flags"] & EPHEMERAL
    assert fake_discord.deadline_misses == []
