"""The domain lexicon: which words and phrases mean the same concept."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .text import DATA_DIR, normalise, stem

PACKAGED = "lexicon.yaml"


class LexiconError(ValueError):
    pass


@dataclass
class Lexicon:
    words: dict[str, set[str]] = field(default_factory=dict)  # word or stem → concepts
    prefixes: list[tuple[str, str]] = field(default_factory=list)  # (stem, concept) for "stem*" entries
    phrases: dict[str, set[str]] = field(default_factory=dict)  # "blew up" → concepts

    @classmethod
    def load(cls, *paths: Path) -> Lexicon:
        """The packaged lexicon plus the given files, merged concept by concept."""
        lexicon = cls()
        packaged = (DATA_DIR / PACKAGED).read_text(encoding="utf-8")
        lexicon._merge(packaged, PACKAGED)
        for path in paths:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError as exc:
                raise LexiconError(f"cannot read lexicon file {path}: {exc.strerror}") from None
            lexicon._merge(text, str(path))
        return lexicon

    def _merge(self, text: str, name: str) -> None:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise LexiconError(f"{name}: not valid YAML: {exc}") from None
        concepts = data.get("concepts") if isinstance(data, dict) else None
        if not isinstance(concepts, dict):
            raise LexiconError(f"{name}: expected a mapping 'concepts:' of concept → list of words")
        for concept, entries in concepts.items():
            if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
                raise LexiconError(f"{name}: concepts.{concept} must be a list of words or phrases")
            for entry in entries:
                self.add(str(concept), entry)

    def add(self, concept: str, entry: str) -> None:
        if entry.endswith("*"):
            root = normalise(entry[:-1])
            if root:
                self.prefixes.append((root, concept))
            return
        norm = normalise(entry)
        if not norm:
            return
        if " " in norm:
            self.phrases.setdefault(norm, set()).add(concept)
        else:
            self.words.setdefault(norm, set()).add(concept)
            self.words.setdefault(stem(norm), set()).add(concept)

    def concepts_of(self, word: str) -> set[str]:
        found = set(self.words.get(word, ())) | set(self.words.get(stem(word), ()))
        if not word.isascii() or len(word) >= 4:
            for root, concept in self.prefixes:
                if word.startswith(root):
                    found.add(concept)
        return found

    def phrase_concepts(self, normalised_text: str) -> set[str]:
        padded = f" {normalised_text} "
        return {c for phrase, cs in self.phrases.items() if f" {phrase} " in padded for c in cs}

    @property
    def vocabulary(self) -> set[str]:
        """Single words the lexicon knows: typo correction may land on them."""
        return {w for w in self.words if len(w) >= 4}
