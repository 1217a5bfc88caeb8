"""The domain lexicon: which words and phrases mean the same concept.

A knowledge-file-like YAML file with up to three mappings of concept → words/phrases:

- `concepts:` what a question asks *about* (casualties, responsibility, damage, …);
- `entities:` what it names (kinds of places and structures); a question naming one of
  these has a subject, a question with only concepts does not;
- `actors:` entities that act (countries, organisations, armed groups): "did <actor> …?"
  asks who did something;
- concepts whose name starts with `not_` are meanings no claim base about a war answers
  (sport, weather, history): a question using one is evidence against every topic,
  unless a topic has that very word.

A fourth section, `chatter:`, lists phrases whose words mean nothing in a question
("back in", "in the end"). Entries are lower case, in any language (Cyrillic is transliterated the same way
questions are); a trailing `*` matches every word starting with the stem ("погиб*"
covers погиб, погибли, погибших). Files are merged concept by concept, so a moderators'
file can add words to a packaged concept or add new concepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import ClaimbotError
from ..files import UnreadableFile, not_utf8, read_regular_file
from .text import DATA_DIR, is_cyrillic, normalise, stem

PACKAGED = "lexicon.yaml"
OFF_TOPIC = "not_"
SECTIONS = ("concepts", "entities", "actors")  # mappings of concept → words
CHATTER = "chatter"  # a list of phrases whose words carry no meaning ("back in", "in the end")
MIN_PREFIX = 3
MAX_LEXICON_BYTES = 5 * 1024 * 1024  # word lists: far more than any real one


class LexiconError(ClaimbotError, ValueError):
    """A lexicon file (CLAIMBOT_LEXICON_FILES) that cannot be used; the message names it and why."""


@dataclass
class Lexicon:
    words: dict[str, set[str]] = field(default_factory=dict)  # word or its stem → concepts
    prefixes: dict[str, set[str]] = field(default_factory=dict)  # "evacuat" (from "evacuat*") → concepts
    # Entries written in Cyrillic apply to words written in Cyrillic only: transliterated,
    # "мост*" (bridge) would otherwise swallow the English "most".
    cyrillic_words: dict[str, set[str]] = field(default_factory=dict)
    cyrillic_prefixes: dict[str, set[str]] = field(default_factory=dict)  # "pogib" (from "погиб*")
    phrases: dict[tuple[str, ...], set[str]] = field(default_factory=dict)  # ("blew", "up") → concepts
    surface: set[str] = field(default_factory=set)  # the single words as written (not their stems)
    entities: set[str] = field(default_factory=set)  # concepts that name things (a question's subject)
    actors: set[str] = field(default_factory=set)  # entities that act: countries, organisations, groups
    chatter: set[tuple[str, ...]] = field(default_factory=set)
    _first_words: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)  # phrase index by first word
    _longest_prefix: int = 0

    @classmethod
    def load(cls, *paths: Path | str) -> Lexicon:
        """The packaged lexicon plus the given files, merged concept by concept."""
        lexicon = cls()
        lexicon._merge((DATA_DIR / PACKAGED).read_text(encoding="utf-8"), PACKAGED)
        for path in paths:
            try:
                data = read_regular_file(str(path), MAX_LEXICON_BYTES, what="lexicon file")
            except UnreadableFile as exc:
                raise LexiconError(f"lexicon file {path} {exc}") from None
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise LexiconError(f"lexicon file {path} is {not_utf8(exc)}") from None
            lexicon._merge(text, str(path))
        return lexicon

    def _merge(self, text: str, name: str) -> None:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise LexiconError(f"{name}: not valid YAML: {exc}") from None
        unknown = set(data) - {*SECTIONS, CHATTER} if isinstance(data, dict) else set()
        if unknown:
            raise LexiconError(f"{name}: unknown section(s) {', '.join(sorted(map(str, unknown)))}; "
                               f"expected {', '.join(SECTIONS)} or {CHATTER}")
        if not isinstance(data, dict) or not (any(isinstance(data.get(s), dict) for s in SECTIONS) or CHATTER in data):
            raise LexiconError(f"{name}: expected a mapping 'concepts:' (or 'entities:', 'actors:') "
                               "of concept → list of words")
        chatter = data.get(CHATTER) or []
        if not isinstance(chatter, list) or not all(isinstance(e, str) for e in chatter):
            raise LexiconError(f"{name}: {CHATTER} must be a list of phrases")
        for entry in chatter:
            parts = tuple(normalise(entry).split())
            if parts and parts not in self.chatter:
                if parts not in self.phrases:
                    self._first_words.setdefault(parts[0], []).append(parts)
                self.chatter.add(parts)
        for section in SECTIONS:
            concepts = data.get(section)
            if concepts is None:
                continue
            if not isinstance(concepts, dict):
                raise LexiconError(f"{name}: {section} must be a mapping of concept → list of words")
            for concept, entries in concepts.items():
                if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
                    raise LexiconError(f"{name}: {section}.{concept} must be a list of words or phrases")
                if section in ("entities", "actors"):
                    self.entities.add(str(concept))
                if section == "actors":
                    self.actors.add(str(concept))
                for entry in entries:
                    if entry.endswith("*") and " " in entry.strip():
                        raise LexiconError(f"{name}: {section}.{concept}: '{entry}': a `*` stem is one word, "
                                           "not a phrase")
                    self.add(str(concept), entry)

    def add(self, concept: str, entry: str) -> None:
        cyrillic = is_cyrillic(entry)
        if entry.endswith("*"):
            root = normalise(entry[:-1])
            if len(root) >= MIN_PREFIX and " " not in root:
                table = self.cyrillic_prefixes if cyrillic else self.prefixes
                table.setdefault(root, set()).add(concept)
                self._longest_prefix = max(self._longest_prefix, len(root))
            return
        norm = normalise(entry)
        if not norm:
            return
        parts = tuple(norm.split())
        if len(parts) > 1:
            if parts not in self.phrases and parts not in self.chatter:
                self._first_words.setdefault(parts[0], []).append(parts)
            self.phrases.setdefault(parts, set()).add(concept)
        elif cyrillic:
            self.cyrillic_words.setdefault(norm, set()).add(concept)
        else:
            self.words.setdefault(norm, set()).add(concept)
            self.words.setdefault(stem(norm), set()).add(concept)
            self.surface.add(norm)

    def concepts_of(self, word: str, cyrillic: bool = False) -> set[str]:
        """The concepts a (normalised) word stands for; `cyrillic`: it was written in Cyrillic."""
        found = set(self.words.get(word, ()))
        found |= self.words.get(stem(word), set())
        tables = [self.prefixes]
        if cyrillic:
            found |= self.cyrillic_words.get(word, set())
            tables.append(self.cyrillic_prefixes)
        if len(word) >= 4 or cyrillic:
            for n in range(MIN_PREFIX, min(len(word), self._longest_prefix) + 1):
                head = word[:n]
                for table in tables:
                    found |= table.get(head, set())
        return found

    def phrase_spans(self, norm_words: list[str]) -> list[tuple[int, int, frozenset[str]]]:
        """The multi-word phrases among these words: (start, end, concepts); chatter phrases
        ("back in", "in the end") have no concepts."""
        found: list[tuple[int, int, frozenset[str]]] = []
        if self._first_words.keys().isdisjoint(norm_words):
            return found  # most texts have no phrase: decided at C speed
        for i, word in enumerate(norm_words):
            for phrase in self._first_words.get(word, ()):
                if tuple(norm_words[i:i + len(phrase)]) == phrase:
                    found.append((i, i + len(phrase), frozenset(self.phrases.get(phrase, ()))))
        return found

    def phrase_concepts(self, norm_words: list[str]) -> set[str]:
        """Concepts of the multi-word phrases ("blew up", "death toll") among these words."""
        return {c for _, _, concepts in self.phrase_spans(norm_words) for c in concepts}

    def is_entity(self, concept: str) -> bool:
        return concept in self.entities

    @staticmethod
    def is_off_topic(concept: str) -> bool:
        return concept.startswith(OFF_TOPIC)

    @property
    def vocabulary(self) -> set[str]:
        """Single words the lexicon knows: typo correction may land on them."""
        return {w for w in self.surface if len(w) >= 4 and w.isalpha()}
