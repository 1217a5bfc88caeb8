"""Members read claimbot in their language, through the real discord.py client and the stand-in."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from bot.client import ClaimBot
from bot.i18n import NAME_CONTEXT
from knowledge.curation import ClaimForm, Curator
from knowledge.i18n import RLM, language_name, speech
from knowledge.models import Status
from knowledge.statuses import badge
from tests.fakediscord import FakeDiscord

from .conftest import CHANNEL, GUILD, MANAGE_MESSAGES, MEMBER, MODERATOR, final_reply

EPHEMERAL = 64
UK = speech("uk")


def _text(embed: dict[str, Any]) -> str:
    parts = [embed.get("title", ""), embed.get("description", ""), embed.get("footer", {}).get("text", "")]
    for field in embed.get("fields", []):
        parts += [field["name"], field["value"]]
    return "\n".join(parts)


async def test_a_ukrainian_member_gets_the_answer_in_ukrainian(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": "скільки загиблих?"}, locale="uk")
    reply = await final_reply(fake_discord)
    embed = reply.json["data"]["embeds"][0]
    kb = bot.service.knowledge(str(GUILD))
    topic = kb.topics["belgorod-casualties"]
    # The topic found from a Ukrainian question, titled as the moderators translated it.
    assert embed["title"] == topic.translations["uk"].title
    text = _text(embed)
    # The interface in Ukrainian: status words, their meanings, the figure's words.
    unverified = badge(Status.UNVERIFIED, UK)
    assert unverified != badge(Status.UNVERIFIED) and unverified in text
    assert UK.tr("asserted by a party, not independently checked") in text
    assert "unverified" not in text and "Source:" not in text
    # Claims in the moderators' translation, each marked as one.
    gladkov = next(c for c in kb.claims_of(topic.id) if c.party == "gladkov" and "uk" in c.translations)
    assert gladkov.translations["uk"].statement.split(".")[0] in text
    assert "\U0001f310" in text
    # …and the original one click away.
    buttons = [c for row in reply.json["data"]["components"] for c in row["components"]]
    original = next(b for b in buttons if b["custom_id"].startswith("cb:o:uk:"))
    assert original["label"] == UK.tr("Show the original")
    message = fake_discord.message_payload(CHANNEL, embeds=[embed], components=reply.json["data"]["components"],
                                           guild_id=GUILD)
    seen = len(fake_discord.requests)
    await fake_discord.send_component(GUILD, CHANNEL, MEMBER, original["custom_id"], message, locale="uk")
    shown = await final_reply(fake_discord, after=seen)
    assert shown.json["data"]["flags"] & EPHEMERAL  # for the member who asked, not a new post
    original_text = "\n".join(_text(e) for e in shown.json["data"]["embeds"])
    assert gladkov.statement.split(".")[0] in original_text
    assert unverified in original_text  # the interface stays Ukrainian around the original claims


async def test_the_original_of_a_long_answer_is_shown_whole(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    curator = Curator(bot.service)
    added = [curator.add_claim(str(GUILD), ClaimForm(
        topic_id="belgorod-casualties", party=f"Witness {i}", statement=f"Account number {i}: " + "detail " * 60,
        source_url=f"https://example.org/{i}"), "mod") for i in range(25)]
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": "скільки загиблих?"}, locale="uk")
    reply = (await final_reply(fake_discord)).json["data"]
    buttons = [c for row in reply["components"] for c in row["components"]]
    original = next(b for b in buttons if b["custom_id"].startswith("cb:o:uk:"))
    message = fake_discord.message_payload(CHANNEL, embeds=reply["embeds"], components=reply["components"],
                                           guild_id=GUILD)
    seen = len(fake_discord.requests)
    await fake_discord.send_component(GUILD, CHANNEL, MEMBER, original["custom_id"], message, locale="uk")
    shown = [(await final_reply(fake_discord, after=seen)).json["data"]]
    for _ in range(50):
        followups = [r.json for r in fake_discord.requests[seen:]
                     if r.method == "POST" and re.fullmatch(r"/webhooks/\d+/[^/]+", r.path)]
        if len(shown) + len(followups) >= 2 and all(f.get("flags", 0) & EPHEMERAL for f in followups):
            break
        await asyncio.sleep(0.1)
    everything = "\n".join(_text(e) for m in shown + followups for e in m["embeds"])
    assert len(followups) >= 1  # more than one message's worth
    for claim in added:
        assert claim.statement[:20] in everything


async def test_an_english_client_gets_english(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": "how many casualties?"})
    embed = (await final_reply(fake_discord)).json["data"]["embeds"][0]
    assert embed["title"] == "How many people were killed or injured in the Belgorod raid?"
    assert "❔ unverified" in _text(embed) and "\U0001f310" not in _text(embed)


async def test_synced_commands_carry_every_discord_language(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    (sync,) = fake_discord.matching("PUT", r"/applications/\d+/(guilds/\d+/)?commands")
    commands = {c["name"]: c for c in sync.json}
    ask = commands["ask"]
    assert ask["name_localizations"]["uk"] == UK.ctx(NAME_CONTEXT, "ask") != "ask"
    for locale in ("uk", "ru", "fr", "de", "es-ES", "es-419"):
        assert ask["description_localizations"][locale], locale
    # Discord's clients offer no Arabic: nothing to sync for it (answers still speak it).
    assert not any(key.startswith("ar") for key in ask["name_localizations"])
    question = next(o for o in ask["options"] if o["name"] == "question")
    assert question["name_localizations"]["uk"] == UK.ctx(NAME_CONTEXT, "question")
    claim = commands["claim"]
    status = next(sub for sub in claim["options"] if sub["name"] == "status")
    choices = next(o for o in status["options"] if o["name"] == "status")["choices"]
    assert {c["name_localizations"]["uk"] for c in choices} == {UK.tr(w) for w in
                                                              ("unverified", "confirmed", "disputed", "false",
                                                               "retracted")}
    # Names Discord would refuse never reach it: lower case, no spaces, unique among siblings.
    for command in sync.json:
        _check_names(command)


def _check_names(command: dict[str, Any]) -> None:
    options = command.get("options", [])
    for locale in {key for o in options for key in o.get("name_localizations") or {}}:
        names = [(o.get("name_localizations") or {}).get(locale, o["name"]) for o in options]
        assert len(names) == len(set(names)), f"{command['name']} ({locale}): {names}"
    for name in (command.get("name_localizations") or {}).values():
        assert name == name.lower() and " " not in name and len(name) <= 32, name
    for description in (command.get("description_localizations") or {}).values():
        assert 1 <= len(description) <= 100, description  # Discord refuses the whole sync otherwise
    for choice in command.get("choices") or []:
        assert all(1 <= len(n) <= 100 for n in (choice.get("name_localizations") or {}).values()), choice
    for option in options:
        _check_names(option)


async def test_an_arabic_server_reads_right_to_left(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    # Discord's clients have no Arabic, so moderators set the language: here, for the channel.
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "channel", {"language": "ar"}, subcommand="language",
                                  permissions=MANAGE_MESSAGES)
    confirmation = await final_reply(fake_discord)
    assert confirmation.json["data"]["content"].startswith(RLM)
    seen = len(fake_discord.requests)
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": "how many casualties?"})
    embed = (await final_reply(fake_discord, after=seen)).json["data"]["embeds"][0]
    arabic = speech("ar")
    text = _text(embed)
    assert badge(Status.UNVERIFIED, arabic) in text
    # Every line the bot lays out starts right to left, even one opening with an English
    # name or a number; a client would otherwise run it left to right.
    lines = [line for field in embed["fields"] for line in field["value"].split("\n") if line.strip()]
    lines += [line for line in embed["description"].split("\n")] + embed["footer"]["text"].split("\n")
    assert lines and all(line.startswith(RLM) or line.startswith("> " + RLM) for line in lines), json.dumps(
        [line for line in lines if not line.startswith(RLM)][:3], ensure_ascii=False)
    # A member who asks for another language gets it.
    seen = len(fake_discord.requests)
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": "how many casualties?",
                                                                   "language": "fr"})
    french = (await final_reply(fake_discord, after=seen)).json["data"]["embeds"][0]
    assert badge(Status.UNVERIFIED, speech("fr")) in _text(french)


async def test_a_moderator_translates_a_claim_and_members_read_it(bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    community = str(GUILD)
    claim = Curator(bot.service).add_claim(community, ClaimForm(
        topic_id="belgorod-casualties", party="Ukrainian officials (Kyiv)",
        statement="Kyiv said no Ukrainian units took part.", source_url="https://example.org/kyiv",
        figure="0 Ukrainian units involved"), "test")
    await fake_discord.send_slash(GUILD, CHANNEL, MODERATOR, "claim", {"claim": claim.id, "language": "uk"},
                                  subcommand="translate", permissions=MANAGE_MESSAGES, locale="uk")
    modal = (await final_reply(fake_discord)).json
    assert modal["type"] == 9 and modal["data"]["title"] == UK.tr("Translate into {language}",
                                                                   language=language_name("uk", "uk"))
    seen = len(fake_discord.requests)
    # A unit without every Ukrainian plural form is refused, naming the missing ones.
    await fake_discord.send_modal_submit(GUILD, CHANNEL, MODERATOR, modal["data"]["custom_id"], {
        "statement": "Київ заявив, що українські підрозділи участі не брали.", "wording": "0",
        "unit": "one: підрозділ\nother: підрозділів"}, permissions=MANAGE_MESSAGES)
    refused = (await final_reply(fake_discord, after=seen)).json["data"]["content"]
    assert "few" in refused and "many" in refused
    assert not bot.service.knowledge(community).claims[claim.id].translations
    # A form is answered once: the moderator opens it again to correct it.
    seen = len(fake_discord.requests)
    await fake_discord.send_slash(GUILD, CHANNEL, MODERATOR, "claim", {"claim": claim.id, "language": "uk"},
                                  subcommand="translate", permissions=MANAGE_MESSAGES, locale="uk")
    modal = (await final_reply(fake_discord, after=seen)).json
    seen = len(fake_discord.requests)
    await fake_discord.send_modal_submit(GUILD, CHANNEL, MODERATOR, modal["data"]["custom_id"], {
        "statement": "Київ заявив, що українські підрозділи участі не брали.", "wording": "0",
        "unit": "one: український підрозділ\nfew: українські підрозділи\nmany: українських підрозділів\n"
                "other: українського підрозділу"}, permissions=MANAGE_MESSAGES)
    await final_reply(fake_discord, after=seen)
    saved = bot.service.knowledge(community).claims[claim.id]
    assert saved.translations["uk"].statement.startswith("Київ заявив")
    seen = len(fake_discord.requests)
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": "how many casualties?"}, locale="uk")
    text = _text((await final_reply(fake_discord, after=seen)).json["data"]["embeds"][0])
    assert "Київ заявив, що українські підрозділи участі не брали." in text
    assert "0 українських підрозділів" in text  # the number and the unit agree in Ukrainian


async def test_a_moderator_translates_a_topic_and_french_questions_find_it(bot: ClaimBot,
                                                                          fake_discord: FakeDiscord) -> None:
    community = str(GUILD)
    curator = Curator(bot.service)
    topic = curator.add_topic(community, "belgorod-incursion-2023", "Were civilians evacuated?", "test")
    curator.add_claim(community, ClaimForm(topic_id=topic.id, party="Belgorod governor Vyacheslav Gladkov",
                                           statement="Gladkov said residents of nine villages were evacuated.",
                                           source_url="https://example.org/evac"), "test")
    await fake_discord.send_slash(GUILD, CHANNEL, MODERATOR, "topic", {
        "topic": topic.id, "language": "fr", "title": "Les civils ont-ils été évacués ?",
        "aliases": "évacuation des habitants; les villageois sont-ils partis"},
        subcommand="translate", permissions=MANAGE_MESSAGES)
    confirmed = (await final_reply(fake_discord)).json["data"]["content"]
    assert "Les civils ont-ils été évacués" in confirmed
    seen = len(fake_discord.requests)
    await fake_discord.send_slash(GUILD, CHANNEL, MEMBER, "ask", {"question": "évacuation des habitants ?"},
                                  locale="fr")
    embed = (await final_reply(fake_discord, after=seen)).json["data"]["embeds"][0]
    assert embed["title"] == "Les civils ont-ils été évacués ?"
    # Its claim has no French translation yet: shown as written, and the answer says so.
    assert "Gladkov said residents of nine villages were evacuated." in _text(embed)
    assert speech("fr").tr("*in {language}: not translated yet*",
                           language=language_name("en", "fr")) in _text(embed)


async def test_the_translation_form_opens_whatever_the_length_of_a_units_plural_forms(
        bot: ClaimBot, fake_discord: FakeDiscord) -> None:
    # Arabic has six plural forms: six long ones pass the 1,000 characters a unit field used to allow,
    # and Discord refuses a form whose field holds more than its limit.
    forms = "\n".join(f"{category}: " + "ن" * 190 for category in ("zero", "one", "two", "few", "many", "other"))
    Curator(bot.service).translate_claim(str(GUILD), "russia-70-attackers-killed", "ar", "mod",
                                         statement="قُتل 70 مهاجمًا.", figure_wording="70 مهاجمًا", figure_unit=forms)
    seen = len(fake_discord.requests)
    await fake_discord.send_slash(GUILD, CHANNEL, MODERATOR, "claim", {"claim": "russia-70-attackers-killed",
                                  "language": "ar"}, subcommand="translate", permissions=MANAGE_MESSAGES)
    form = await final_reply(fake_discord, after=seen)
    assert form.status == 200 and form.json["type"] == 9
    fields = [c for row in form.json["data"]["components"] for c in row["components"]]
    assert any(f.get("value") == forms for f in fields)
