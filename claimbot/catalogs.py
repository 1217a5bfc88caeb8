"""The message catalogs: gather every message from the code and the slash commands, and
keep each language's .po file in step.

    python3 run.py catalogs          update every knowledge/locales/<lang>/…/claimbot.po
    python3 run.py catalogs check    list what each language still lacks (exit 1 if anything)

Messages are found where the code marks them: `speech.tr("…")`, `speech.plural("…", "…", n)`,
`speech.ctx("context", "…")` and `N_("…")`. The slash commands' names, descriptions,
options and choices are read from the bot's own command tree (names under the msgctxt
"slash command name": Discord allows them lower case, without spaces, 32 characters).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from knowledge.i18n import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, LOCALES_DIR, catalog_path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("knowledge", "bot", "claimbot")
KEYWORDS: dict[str, Any] = {"tr": None, "N_": None, "plural": (1, 2), "ctx": ((1, "c"), 2)}
TEMPLATE = LOCALES_DIR / f"{DOMAIN}.pot"


def code_messages() -> Iterator[tuple[str | tuple[str, ...], str | None, str]]:
    """(message id or (singular, plural), context, where) for every marked message in the code."""
    for folder in SOURCE_DIRS:
        for filename, lineno, message, _comments, context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS,
        ):
            yield message, context, f"{folder}/{filename}:{lineno}"


async def _command_strings() -> list[tuple[str, str | None, str]]:
    """Every translatable string of the slash commands, as discord.py hands them to a Translator."""
    from discord import Locale, app_commands

    from bot.client import EXTENSIONS, ClaimBot
    from bot.i18n import _NAME_LOCATIONS, NAME_CONTEXT
    from bot.settings import BotSettings
    from claimbot.bootstrap import build_service
    from knowledge.settings import Settings

    found: list[tuple[str, str | None, str]] = []

    class Recorder(app_commands.Translator):
        async def translate(self, string: app_commands.locale_str, locale: Locale,
                            context: app_commands.TranslationContextTypes) -> str | None:
            where = f"slash-command:{context.location.name}"
            found.append((string.message, NAME_CONTEXT if context.location in _NAME_LOCATIONS else None, where))
            return None

    with tempfile.TemporaryDirectory() as scratch:
        service = build_service(Settings(database_url=f"sqlite:///{scratch}/catalogs.sqlite3", seed_files=[]))
        bot = ClaimBot(service, BotSettings())
        try:
            for extension in EXTENSIONS:  # the same cogs the bot loads, so no command is missed
                await bot.load_extension(extension)
            recorder = Recorder()
            for command in bot.tree.get_commands():
                await command.get_translated_payload(bot.tree, recorder)
        finally:
            await bot.close()
            service.close()
    return found


def template() -> Catalog:
    """Every message claimbot can show, with where it is used."""
    catalog = Catalog(domain=DOMAIN, project="claimbot", msgid_bugs_address="", charset="utf-8")
    # Babel accepts a location without a line number (a slash command has none); its stubs say int.
    for message, context, where in code_messages():
        catalog.add(message, locations=[(where, None)], context=context)  # type: ignore[list-item]
    for message, context, where in asyncio.run(_command_strings()):
        catalog.add(message, locations=[(where, None)], context=context)  # type: ignore[list-item]
    return catalog


def language_catalog(language: str) -> Catalog:
    path = catalog_path(language)
    if not path.is_file():
        return Catalog(locale=language, domain=DOMAIN, project="claimbot")
    with path.open("rb") as po:
        return read_po(po, locale=language, domain=DOMAIN)


def missing(language: str, wanted: Catalog) -> list[str]:
    """The message ids of `wanted` that `language`'s catalog does not translate (or only fuzzily)."""
    have = language_catalog(language)
    lacking = []
    for message in wanted:
        if not message.id:
            continue
        found = have.get(message.id, context=message.context)
        strings = found.string if found is not None else None
        translated = isinstance(strings, str) and strings or isinstance(strings, tuple) and all(strings)
        if found is None or found.fuzzy or not translated:
            lacking.append(message.id if isinstance(message.id, str) else message.id[0])
    return lacking


def update(wanted: Catalog) -> None:
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    with TEMPLATE.open("wb") as pot:
        write_po(pot, wanted, width=100, omit_header=False, sort_output=True)
    for language in LANGUAGES:
        if language == DEFAULT_LANGUAGE:
            continue
        catalog = language_catalog(language)
        catalog.update(wanted, no_fuzzy_matching=True)
        # A fuzzy header is skipped when the catalog is compiled, and its Plural-Forms with it:
        # Ukrainian would then count like English.
        catalog.fuzzy = False
        path = catalog_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as po:
            write_po(po, catalog, width=100, ignore_obsolete=True, sort_output=True, include_previous=False)


def main(argv: list[str]) -> int:
    wanted = template()
    if argv[:1] == ["check"]:
        gaps = {language: missing(language, wanted) for language in LANGUAGES if language != DEFAULT_LANGUAGE}
        for language, ids in gaps.items():
            for message_id in ids:
                print(f"{language}: missing {message_id!r}")
        return 1 if any(gaps.values()) else 0
    update(wanted)
    print(f"{len(wanted)} messages; catalogs updated in {LOCALES_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
