"""The message catalogs: complete in every language, and safe to fill in.

A message missing from a language fails here with its id, so a new sentence cannot ship
in English only; a translation that drops or invents a `{placeholder}` would raise (or
show the wrong value) only when that sentence is shown, so it fails here first; and a
slash command name Discord would refuse fails here rather than at sync time.
"""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.catalog import Catalog

from claimbot.catalogs import language_catalog, missing, template
from knowledge.i18n import DEFAULT_LANGUAGE, LANGUAGES

TRANSLATED = [language for language in LANGUAGES if language != DEFAULT_LANGUAGE]
# Discord's rule for names of chat-input commands, groups and options (the letter classes
# of its regex that matter here), and they must be lower case where the script has case.
DISCORD_NAME = re.compile(r"^[-_\w]{1,32}$")


@pytest.fixture(scope="module")
def wanted() -> Catalog:
    return template()


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language: str, wanted: Catalog) -> None:
    lacking = missing(language, wanted)
    assert not lacking, f"{language} lacks {len(lacking)} message(s): " + "; ".join(map(repr, lacking[:20]))


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_survive_translation(language: str) -> None:
    wrong = []
    for message in language_catalog(language):
        if not message.id or not message.string:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        expected = set().union(*(_fields(i) for i in ids))
        for translated in strings:
            if not translated:
                continue
            try:
                got = _fields(translated)
            except ValueError as exc:
                wrong.append(f"{ids[0]!r}: {exc}")
                continue
            # A plural form may leave the number out ("one" in Arabic says it in the word);
            # every other value must be there, and nothing the code does not pass.
            if got - expected or (expected - {"n"}) - got:
                wrong.append(f"{ids[0]!r} → {translated!r}")
    assert not wrong, f"{language}: placeholders differ:\n" + "\n".join(wrong)


@pytest.mark.parametrize("language", TRANSLATED)
def test_command_names_are_names_discord_accepts(language: str) -> None:
    refused = []
    for message in language_catalog(language):
        if message.context != "slash command name" or not message.string:
            continue
        name = str(message.string)
        if not DISCORD_NAME.match(name) or name != name.lower():
            refused.append(f"{message.id!r} → {name!r}")
    assert not refused, f"{language}: Discord refuses these command names:\n" + "\n".join(refused)
