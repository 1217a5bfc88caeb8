"""Knowledge files: the human-curated YAML form of a claim base.

A file is reviewed in git like code, so errors must point where a curator can act:
the file, the line and the field path (``events[0].topics[2].claims[1].status``), and
what is wrong. Parsing is all or nothing: a file with one problem yields no records.

Layout::

    claimbot: 1            # format version
    sources: [...]         # Source
    parties: [...]         # Party
    events:                # Event, each with
      - ...
        topics:            #   Topic, each with
          - ...
            claims: [...]  #     Claim
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .base import KnowledgeBase, Problem
from .models import Claim, Event, Party, Source, Status, Topic

FORMAT_VERSION = 1
MAX_FILE_BYTES = 20 * 1024 * 1024  # a claim base is text; anything bigger is a mistake


@dataclass(frozen=True, slots=True)
class LocatedProblem:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}"


class KnowledgeFileError(ValueError):
    """A knowledge file that cannot be used; lists every problem found, each located."""

    def __init__(self, problems: list[LocatedProblem]) -> None:
        self.problems = problems
        super().__init__(self._summary())

    def _summary(self) -> str:
        head = f"{len(self.problems)} problem(s) in {self.problems[0].file}" if self.problems else "invalid file"
        return head + ":\n" + "\n".join(f"  {p}" for p in self.problems)


# --- reading -------------------------------------------------------------------


def load_knowledge_file(path: str | Path) -> KnowledgeBase:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise KnowledgeFileError([LocatedProblem(str(path), None, "(file)", f"cannot read: {exc.strerror}")]) from None
    if size > MAX_FILE_BYTES:
        raise KnowledgeFileError([LocatedProblem(str(path), None, "(file)", "file is larger than 20 MB")])
    return parse_knowledge(path.read_bytes(), name=str(path))


def parse_knowledge(data: bytes | str, *, name: str = "<knowledge file>") -> KnowledgeBase:
    """Parse and validate a knowledge file's content; raise KnowledgeFileError on any problem."""

    def fail(message: str, line: int | None = None, path: str = "(file)") -> KnowledgeFileError:
        return KnowledgeFileError([LocatedProblem(name, line, path, message)])

    if isinstance(data, bytes):
        if b"\x00" in data:
            raise fail("this is a binary file, not a YAML knowledge file")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise fail(f"not UTF-8 text (byte {exc.start})") from None
    else:
        text = data
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise fail(f"not valid YAML: {problem}", mark.line + 1 if mark else None) from None

    reader = _Reader(name, root)
    kb = reader.read(raw)
    if reader.problems:
        raise KnowledgeFileError(reader.problems)
    return kb


class _Reader:
    def __init__(self, name: str, root: yaml.Node | None) -> None:
        self.name = name
        self.root = root
        self.problems: list[LocatedProblem] = []
        # Where each record sits in the file, to locate cross-reference problems.
        self.where: dict[tuple[str, str], tuple[str | int, ...]] = {}

    def problem(self, path: tuple[str | int, ...], message: str) -> None:
        self.problems.append(LocatedProblem(self.name, _line_of(self.root, path), Problem(path, message).dotted, message))

    def read(self, raw: Any) -> KnowledgeBase:
        kb = KnowledgeBase()
        if self.root is not None:
            self._check_duplicate_keys(self.root, ())
        if not isinstance(raw, dict):
            self.problem((), "a knowledge file is a mapping with claimbot:, sources:, parties: and events:")
            return kb
        if raw.get("claimbot") != FORMAT_VERSION:
            self.problem(("claimbot",), f"must be {FORMAT_VERSION} (the knowledge file format version)")
        for key in raw:
            if key not in ("claimbot", "sources", "parties", "events"):
                self.problem((key,), "unknown section (expected claimbot, sources, parties, events)")

        for i, item in self._items(raw, "sources", ()):
            self._add(kb, "source", Source, item, ("sources", i))
        for i, item in self._items(raw, "parties", ()):
            self._add(kb, "party", Party, item, ("parties", i))
        for i, item in self._items(raw, "events", ()):
            event_path = ("events", i)
            event = self._add(kb, "event", Event, _without(item, "topics"), event_path)
            for j, titem in self._items(item, "topics", event_path):
                topic_path = (*event_path, "topics", j)
                topic = self._add(kb, "topic", Topic, _without(titem, "claims"), topic_path, event.id if event else None)
                for k, citem in self._items(titem, "claims", topic_path):
                    self._add(kb, "claim", Claim, citem, (*topic_path, "claims", k), topic.id if topic else None)

        for problem in kb.check_references():
            _, cid, *rest = problem.path
            self.problem((*self.where[("claim", str(cid))], *rest), problem.message)
        return kb

    def _items(self, parent: Any, key: str, path: tuple[str | int, ...]) -> Iterable[tuple[int, Any]]:
        if not isinstance(parent, dict) or parent.get(key) is None:
            return []
        value = parent[key]
        if not isinstance(value, list):
            self.problem((*path, key), "must be a list (items starting with '- ')")
            return []
        return list(enumerate(value))

    def _add(
        self,
        kb: KnowledgeBase,
        kind: str,
        model: type[BaseModel],
        item: Any,
        path: tuple[str | int, ...],
        parent: str | None = None,
    ) -> Any:
        if not isinstance(item, dict):
            self.problem(path, f"must be a mapping of {kind} fields")
            return None
        try:
            record = model.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
                self.problem((*path, *loc), _friendly(err))
            return None
        rid = record.id  # type: ignore[attr-defined]
        if (kind, rid) in self.where:
            first = Problem(self.where[(kind, rid)], "").dotted
            self.problem((*path, "id"), f"duplicate {kind} id '{rid}' (first used at {first})")
            return None
        self.where[(kind, rid)] = path
        if kind in ("topic", "claim") and parent is None:
            return record  # its parent was invalid; already reported
        kb.put(kind, record, parent)
        return record

    def _check_duplicate_keys(self, node: yaml.Node, path: tuple[str | int, ...]) -> None:
        # PyYAML keeps the last of two equal keys without a word; in a reviewed file
        # that hides an edit, so it is an error.
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = key_node.value
                if key in seen:
                    self.problems.append(
                        LocatedProblem(self.name, key_node.start_mark.line + 1, Problem((*path, key), "").dotted,
                                       f"key '{key}' appears twice in the same mapping")
                    )
                seen.add(key)
                self._check_duplicate_keys(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for i, child in enumerate(node.value):
                self._check_duplicate_keys(child, (*path, i))


def _without(item: Any, key: str) -> Any:
    return {k: v for k, v in item.items() if k != key} if isinstance(item, dict) else item


def _friendly(err: Any) -> str:
    kind = err["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling)"
    if kind == "string_pattern_mismatch":
        return "must be a lower-case id: letters, digits, '-', '_' or '.' (e.g. belgorod-casualties)"
    if kind == "enum":
        expected = err.get("ctx", {}).get("expected", "")
        return f"unknown value {err['input']!r}; use one of {expected}"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    return str(err["msg"])


def _line_of(root: yaml.Node | None, path: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the deepest node of `path` that exists in the file."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in path:
        child = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            child = next((v for k, v in node.value if k.value == part), None)
            if child is None:
                # A missing field: point at the mapping that lacks it.
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


# --- writing -------------------------------------------------------------------


def dump_knowledge(kb: KnowledgeBase) -> str:
    """The canonical file for a claim base: what `export` writes and `import` reads back.

    Store bookkeeping (versions, timestamps, who changed what) is not written: it lives in
    the history, and keeping it out of the file keeps git diffs to real content changes.
    """

    def plain(record: BaseModel) -> dict[str, Any]:
        return record.model_dump(mode="python", exclude_defaults=True)

    doc: dict[str, Any] = {
        "claimbot": FORMAT_VERSION,
        "sources": [plain(s) for s in kb.sources.values()],
        "parties": [plain(p) for p in kb.parties.values()],
        "events": [],
    }
    for eid, event in kb.events.items():
        topics = []
        for topic in kb.topics_of(eid):
            tdoc = plain(topic)
            tdoc["claims"] = [plain(c) for c in kb.claims_of(topic.id)]
            topics.append(tdoc)
        edoc = plain(event)
        edoc["topics"] = topics
        doc["events"].append(edoc)
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_enum(dumper: yaml.SafeDumper, value: Any) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value.value)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Status, _represent_enum)
