"""Which language to answer a Discord member in, and slash commands in every language.

The language comes from, strongest first:
1. what the member asked for (`/ask … language:`);
2. their Discord client's language, when claimbot speaks it and it is not English —
   English is Discord's default, so it says little about what a member reads;
3. the channel's language, else the server's, set by moderators with `/channel language`
   (the only way to reach languages Discord's clients don't offer, such as Arabic);
4. the server's own Discord language ("Community" settings);
5. English.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from knowledge.i18n import DEFAULT_LANGUAGE, LANGUAGES, Speech, interface_language, speech

# The msgctxt of names Discord restricts (lower case, no spaces, at most 32 characters):
# commands, groups and options. Descriptions and choices are ordinary messages.
NAME_CONTEXT = "slash command name"
_NAME_LOCATIONS = (
    app_commands.TranslationContextLocation.command_name,
    app_commands.TranslationContextLocation.group_name,
    app_commands.TranslationContextLocation.parameter_name,
)

# The interface languages as an option's choices, each named in itself ("Українська"), so a
# reader finds their own whatever language the command is shown in.
LANGUAGE_CHOICES = [app_commands.Choice(name=name, value=code) for code, name in LANGUAGES.items()]

# What moderators set per channel/server, remembered as it is read or set, so a reply
# that needs no database (an error, a confirmation) still speaks the channel's language.
_channel_languages: dict[tuple[int, int], str | None] = {}
_server_languages: dict[int, str | None] = {}


def remember_languages(guild_id: int, channel_id: int, channel: str | None, server: str | None) -> None:
    _channel_languages[guild_id, channel_id] = channel
    _server_languages[guild_id] = server


def _client_language(locale: discord.Locale | None) -> str | None:
    language = interface_language(locale.value if locale else None)
    return language if language != DEFAULT_LANGUAGE else None


def choose(*, asked: str | None = None, client: discord.Locale | None = None, channel: str | None = None,
           server: str | None = None, guild: discord.Locale | None = None) -> Speech:
    """The Speech for the strongest preference claimbot speaks (see the module's docstring)."""
    for preference in (asked, _client_language(client), channel, server,
                       interface_language(guild.value if guild else None)):
        if interface_language(preference) is not None:
            return speech(preference)
    return speech(DEFAULT_LANGUAGE)


def speech_for(interaction: discord.Interaction[Any], asked: str | None = None) -> Speech:
    """The member's language for replying to an interaction, without waiting for anything."""
    guild_id, channel_id = interaction.guild_id, interaction.channel_id
    channel = _channel_languages.get((guild_id, channel_id)) if guild_id and channel_id else None
    server = _server_languages.get(guild_id) if guild_id else None
    return choose(asked=asked, client=interaction.locale, channel=channel, server=server,
                  guild=interaction.guild_locale)


def speech_in(guild: discord.Guild | None, channel_id: int | None) -> Speech:
    """The language for what the bot posts unasked (auto-answers, digests): no member's
    client language is known there, so the channel's, the server's, then English."""
    if guild is None:
        return speech(DEFAULT_LANGUAGE)
    channel = _channel_languages.get((guild.id, channel_id)) if channel_id else None
    return choose(channel=channel, server=_server_languages.get(guild.id), guild=guild.preferred_locale)


class CatalogTranslator(app_commands.Translator):
    """Slash commands' names, descriptions, options and choices from the message catalogs,
    synced to Discord as its name/description localisations."""

    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        language = _client_language(locale)
        if language is None:
            return None  # English is the commands' own text; other locales have no catalog
        said = speech(language)
        if context.location in _NAME_LOCATIONS:
            translated = said.ctx(NAME_CONTEXT, string.message)
        else:
            translated = said.tr(string.message)
        return translated if translated != string.message else None
