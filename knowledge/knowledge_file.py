"""Knowledge files: the human-curated YAML form of a claim base.

A file is reviewed in git like code, so errors must point where a curator can act:
the file, the line and the field path (``events[0].topics[2].claims[1].status``), and
what is wrong. Parsing is all or nothing: a file with one problem yields no records.

Layout::

    claimbot: 2            # format version (1 is still read: see FORMAT_VERSIONS)
    sources: [...]         # Source
    parties: [...]         # Party
    events:                # Event, each with
      - ...
        topics:            #   Topic, each with
          - ...
            claims: [...]  #     Claim
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .base import KnowledgeBase, Problem
from .errors import ClaimbotError
from .files import UnreadableFile, not_utf8, read_regular_file
from .models import FORMAT_1_FILE, MAX_ID_CHARS, SLUG_PATTERN, Claim, Event, Model, Party, Source, Status, Topic

FORMAT_VERSION = 2  # what export writes
# Format 1 predates figure bounds: its figures were {value, unit, wording?}. It is still
# read; a figure without wording gets its number as wording, and one whose wording is not
# an exact number ("dozens" with value 24) is refused with the fix, as in format 2.
FORMAT_VERSIONS = (1, 2)
MAX_FILE_BYTES = 20 * 1024 * 1024  # a claim base is text; anything bigger is a mistake

# Bounds on what a file may make the parser do. A real claim base is 5–6 levels deep
# (claimbot → events → topics → claims → figure → value) and has no aliases; the limits
# leave room for hand-written oddities while refusing crafted files before they cost time.
MAX_DEPTH = 64  # nested collections; beyond it, only a crafted file (and a RecursionError)
MIN_NODE_BUDGET = 200_000  # values counted as if every alias were written out in full ...
NODES_PER_BYTE = 2  # ... or twice the file's size, whichever is more (see _node_budget)
MAX_INT_DIGITS = 30  # a figure is at most 10**12; a longer integer is a mistake or an attack
MAX_LISTED_PROBLEMS = 50  # in the message; every problem stays in KnowledgeFileError.problems

_INT_TAG = "tag:yaml.org,2002:int"
# Scalars whose constructor can fail on text the resolver never gives it (an explicit
# `!!int foo`, or `2023-02-30`, which looks like a date and is not one).
_CHECKED_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("int", "float", "bool", "null", "timestamp", "binary")
)
_KIND_NAMES = {"int": "integer", "float": "number", "bool": "true/false value", "null": "null",
               "timestamp": "date", "binary": "base64 value"}
_BaseLoader: type[Any] = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader with YAML 1.2's booleans and numbers (its core schema).

    YAML 1.1, PyYAML's default, also reads yes, no, on, off, y and n as booleans, so a
    curator's `on: 2023-05-22` (the day a verification was made) became the key True and
    a baffling error, and a country code "NO" would become false. Its numbers are worse
    for a fact base: `value: 012` is octal, 10, and `wording: 1:30` is 90 (base 60) —
    a party's figure silently changed. In YAML 1.2, 012 is twelve and 1:30 is text."""


_YAML12 = {  # the core schema's booleans and numbers; the order matters: an int is tried before a float
    "tag:yaml.org,2002:bool": (re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")),
    _INT_TAG: (re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")),
    "tag:yaml.org,2002:float": (re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                                           r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"), list("-+0123456789.")),
}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _YAML12]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
for _tag, (_pattern, _first) in _YAML12.items():
    _Loader.add_implicit_resolver(_tag, _pattern, _first)


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    """YAML 1.2's integers: decimal whatever its leading zeros, 0o… octal, 0x… hexadecimal."""
    value = str(loader.construct_scalar(node))
    if value.startswith(("0o", "0x")):
        return int(value[2:], 8 if value[1] == "o" else 16)
    return int(value, 10)


_Loader.add_constructor(_INT_TAG, _construct_int)


@dataclass(frozen=True, slots=True)
class LocatedProblem:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}"


class KnowledgeFileError(ClaimbotError, ValueError):
    """A knowledge file that cannot be used; lists every problem found, each located."""

    def __init__(self, problems: list[LocatedProblem]) -> None:
        self.problems = problems
        super().__init__(self._summary())

    def _summary(self) -> str:
        head = f"{len(self.problems)} problem(s) in {self.problems[0].file}" if self.problems else "invalid file"
        listed = [f"  {p}" for p in self.problems[:MAX_LISTED_PROBLEMS]]
        if len(self.problems) > MAX_LISTED_PROBLEMS:
            listed.append(f"  ... and {len(self.problems) - MAX_LISTED_PROBLEMS:,} more")
        return head + ":\n" + "\n".join(listed)


# --- reading -------------------------------------------------------------------


def load_knowledge_file(path: str | Path) -> KnowledgeBase:
    """Read and parse a knowledge file; only a regular file, and at most MAX_FILE_BYTES of it."""
    name = str(path)
    return parse_knowledge(_read_capped(name), name=name)


def _read_capped(name: str) -> bytes:
    try:
        return read_regular_file(name, MAX_FILE_BYTES, what="knowledge file")
    except UnreadableFile as exc:
        raise KnowledgeFileError([LocatedProblem(name, None, "(file)", str(exc))]) from None


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
            line = data.count(b"\n", 0, exc.start) + 1
            raise fail(not_utf8(exc), line) from None
    else:
        text = data
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError as exc:  # a lone surrogate: no file holds that
            raise fail(f"not valid text (character {exc.start} is a lone surrogate)") from None
        if size > MAX_FILE_BYTES:
            raise fail(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if "\x00" in text:
        raise fail("this is a binary file, not a YAML knowledge file")

    loader = _Loader(text)
    try:
        composer = _Composer(loader, name, budget=_node_budget(text))
        root = composer.compose()
        # Constructed from the very node graph just checked: the text is parsed once, and
        # aliases become shared objects (cheap), not copies.
        raw = loader.construct_document(root) if root is not None else None
    except KnowledgeFileError:
        raise  # a limit refused, already located
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (a raw ESC, say): located too
        character = exc.character if isinstance(exc.character, str) else chr(exc.character)
        shown = f"U+{ord(character):04X}"
        # libyaml counts bytes of the UTF-8 text, PyYAML's own reader characters: find which.
        at = exc.position
        if not (0 <= at < len(text) and text[at] == character):
            at = len(text.encode("utf-8")[:at].decode("utf-8", "ignore"))
        raise fail(f"not valid YAML: the character {shown} is not allowed in a YAML file (remove it)",
                   text.count("\n", 0, at) + 1) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise fail(f"not valid YAML: {problem}", mark.line + 1 if mark else None) from None
    except Exception as exc:  # noqa: BLE001
        # The checks in _Composer catch what is known to break the constructor; this is
        # the backstop, so a value nobody foresaw is still a refusal, not a traceback.
        raise fail(f"not valid YAML: a value cannot be read ({type(exc).__name__})") from None
    finally:
        loader.dispose()

    reader = _Reader(name, root)
    reader.problems.extend(composer.problems)
    kb = reader.read(raw)
    if reader.problems:
        raise KnowledgeFileError(reader.problems)
    return kb


def _node_budget(text: str) -> int:
    return max(MIN_NODE_BUDGET, NODES_PER_BYTE * len(text))


@dataclass(slots=True)
class _Frame:
    node: yaml.Node
    path: tuple[str | int, ...]
    size: int = 1  # this node and everything below it, aliases counted in full
    key: yaml.Node | None = None  # a mapping's key waiting for its value
    keys: set[str] | None = None  # a mapping's scalar keys so far, for duplicates


class _Composer:
    """YAML events to a node graph, like PyYAML's composer, but bounded and without recursion.

    PyYAML's own composer recurses once per nesting level (a RecursionError at ~1,000) and
    a later walk over the graph that follows aliases is exponential in a "billion laughs"
    file. Here every node is built once from the event stream, its alias-expanded size is
    summed as it closes (an alias adds the size already known for its target: a memo per
    node, so even the count never expands anything), and the limits are checked on the way.
    Duplicate keys are found here too, once per mapping node however often it is aliased.
    """

    def __init__(self, loader: Any, name: str, *, budget: int) -> None:
        self.loader = loader
        self.name = name
        self.budget = budget
        self.anchors: dict[str, yaml.Node] = {}
        self.sizes: dict[int, int] = {}  # id(node) → alias-expanded size, for closed nodes
        self.problems: list[LocatedProblem] = []

    def fail(self, mark: Any, path: tuple[str | int, ...], message: str) -> KnowledgeFileError:
        line = mark.line + 1 if mark is not None else None
        return KnowledgeFileError([LocatedProblem(self.name, line, Problem(path, "").dotted, message)])

    def compose(self) -> yaml.Node | None:
        ld = self.loader
        ld.get_event()  # StreamStart
        root: yaml.Node | None = None
        if not ld.check_event(yaml.StreamEndEvent):
            ld.get_event()  # DocumentStart
            root = self._document()
            ld.get_event()  # DocumentEnd
        if not ld.check_event(yaml.StreamEndEvent):
            event = ld.get_event()
            raise yaml.composer.ComposerError(
                "expected a single document in the stream", root.start_mark if root else None,
                "but found another document", event.start_mark)
        ld.get_event()  # StreamEnd
        return root

    def _document(self) -> yaml.Node:
        ld = self.loader
        stack: list[_Frame] = []
        root: yaml.Node | None = None
        while True:
            event = ld.get_event()
            if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                frame = stack.pop()
                frame.node.end_mark = event.end_mark
                self.sizes[id(frame.node)] = frame.size
                node, size = frame.node, frame.size
            else:
                path = self._child_path(stack[-1]) if stack else ()
                if isinstance(event, yaml.AliasEvent):
                    if event.anchor not in self.anchors:
                        raise yaml.composer.ComposerError(
                            None, None, f"found undefined alias {event.anchor!r}",
                            event.start_mark)  # type: ignore[arg-type]  # libyaml's Mark quacks the same
                    node = self.anchors[event.anchor]
                    if id(node) not in self.sizes:
                        # Its target is still open: the alias sits inside what it names.
                        raise self.fail(event.start_mark, path,
                                        "an alias refers to a value that contains it (a recursive structure)")
                    size = self.sizes[id(node)]
                else:
                    node = self._open(event, path)
                    if isinstance(node, yaml.ScalarNode):
                        size = 1
                    else:
                        if len(stack) >= MAX_DEPTH:
                            raise self.fail(event.start_mark, path[:8],
                                            f"nested more than {MAX_DEPTH} levels deep; a knowledge file "
                                            "needs about 6")
                        stack.append(_Frame(node, path, keys=set() if isinstance(node, yaml.MappingNode) else None))
                        continue
                    self.sizes[id(node)] = size
            if not stack:
                root = node
                return root
            self._attach(stack[-1], node, size)

    def _open(self, event: Any, path: tuple[str | int, ...]) -> yaml.Node:
        ld = self.loader
        anchor = event.anchor
        if anchor is not None and anchor in self.anchors:
            raise yaml.composer.ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence", self.anchors[anchor].start_mark,
                "second occurrence", event.start_mark)
        tag = event.tag
        node: yaml.Node
        if isinstance(event, yaml.ScalarEvent):
            if tag is None or tag == "!":
                tag = ld.resolve(yaml.ScalarNode, event.value, event.implicit)
            node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark,  # type: ignore[arg-type]
                                   style=event.style)
            self._check_scalar(node, path)
        elif isinstance(event, yaml.SequenceStartEvent):
            if tag is None or tag == "!":
                tag = ld.resolve(yaml.SequenceNode, None, event.implicit)
            node = yaml.SequenceNode(tag, [], event.start_mark, None,  # type: ignore[arg-type]
                                     flow_style=event.flow_style)
        elif isinstance(event, yaml.MappingStartEvent):
            if tag is None or tag == "!":
                tag = ld.resolve(yaml.MappingNode, None, event.implicit)
            node = yaml.MappingNode(tag, [], event.start_mark, None,  # type: ignore[arg-type]
                                    flow_style=event.flow_style)
        else:  # pragma: no cover - the parser yields nothing else inside a document
            raise yaml.composer.ComposerError(None, None, f"unexpected {type(event).__name__}", event.start_mark)
        if anchor is not None:
            self.anchors[anchor] = node
        return node

    def _check_scalar(self, node: yaml.ScalarNode, path: tuple[str | int, ...]) -> None:
        if node.tag not in _CHECKED_SCALAR_TAGS:
            return
        if node.tag == _INT_TAG:
            digits = node.value.replace("_", "").lstrip("+-")
            if len(digits) > MAX_INT_DIGITS:
                raise self.fail(node.start_mark, path,
                                f"a number with {len(digits):,} digits; at most {MAX_INT_DIGITS} are allowed")
        try:
            self.loader.yaml_constructors[node.tag](self.loader, node)
        except Exception:  # noqa: BLE001 - PyYAML's scalar constructors fail in many ways (IndexError on '')
            kind = _KIND_NAMES.get(node.tag.rsplit(":", 1)[-1], "value")
            shown = node.value if len(node.value) <= 40 else node.value[:40] + "…"
            raise self.fail(node.start_mark, path, f"{shown!r} is not a valid {kind}") from None

    def _child_path(self, frame: _Frame) -> tuple[str | int, ...]:
        if isinstance(frame.node, yaml.SequenceNode):
            return (*frame.path, len(frame.node.value))
        if frame.key is None:
            return frame.path  # a key: problems with it belong to its mapping
        key = frame.key.value if isinstance(frame.key, yaml.ScalarNode) else "?"
        return (*frame.path, key)

    def _attach(self, frame: _Frame, node: yaml.Node, size: int) -> None:
        frame.size += size
        if frame.size > self.budget:
            raise self.fail(frame.node.start_mark, frame.path,
                            f"expands to more than {self.budget:,} values (aliases counted in full); "
                            "a knowledge file has no need for that many")
        if isinstance(frame.node, yaml.SequenceNode):
            frame.node.value.append(node)
        elif frame.key is None:
            frame.key = node
        else:
            key_node, frame.key = frame.key, None
            frame.node.value.append((key_node, node))
            # PyYAML keeps the last of two equal keys without a word; in a reviewed file
            # that hides an edit, so it is an error.
            if isinstance(key_node, yaml.ScalarNode) and frame.keys is not None:
                key = key_node.value
                if key in frame.keys:
                    self.problems.append(
                        LocatedProblem(self.name, key_node.start_mark.line + 1, Problem((*frame.path, key), "").dotted,
                                       f"key '{key}' appears twice in the same mapping"))
                frame.keys.add(key)


class _Reader:
    def __init__(self, name: str, root: yaml.Node | None) -> None:
        self.name = name
        self.root = root
        self.problems: list[LocatedProblem] = []
        # Where each record sits in the file, to locate cross-reference problems.
        self.where: dict[tuple[str, str], tuple[str | int, ...]] = {}
        self.context: dict[str, str] | None = None  # how to read figures: see FORMAT_VERSIONS

    def problem(self, path: tuple[Any, ...], message: str) -> None:
        # A YAML key may be null, a bool, a date: shown as text, never breaking the report.
        parts = tuple(p if type(p) in (str, int) else str(p) for p in path)
        self.problems.append(LocatedProblem(self.name, _line_of(self.root, parts), Problem(parts, message).dotted,
                                            message))

    def read(self, raw: Any) -> KnowledgeBase:
        kb = KnowledgeBase()
        if not isinstance(raw, dict):
            self.problem((), "a knowledge file is a mapping with claimbot:, sources:, parties: and events:")
            return kb
        version = raw.get("claimbot")
        if type(version) is not int or version not in FORMAT_VERSIONS:  # not 1.0, not true
            self.problem(("claimbot",), f"must be {FORMAT_VERSION} (the knowledge file format version; "
                         "files written for format 1 are still read)")
        self.context = FORMAT_1_FILE if version == 1 else None
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
                topic = self._add(kb, "topic", Topic, _without(titem, "claims"), topic_path,
                                  event.id if event else None)
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
        model: type[Model],
        item: Any,
        path: tuple[str | int, ...],
        parent: str | None = None,
    ) -> Any:
        if not isinstance(item, dict):
            self.problem(path, f"must be a mapping of {kind} fields")
            return None
        try:
            record = model.model_validate(item, context=self.context)
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


def _without(item: Any, key: str) -> Any:
    return {k: v for k, v in item.items() if k != key} if isinstance(item, dict) else item


# What YAML made of a value that should have been text, in words (bool before int: True is an int).
_WHAT_YAML_READ: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (type(None), "nothing (null)"), (bool, "true/false"), ((int, float), "a number"), (date, "a date"),
    (list, "a list"), (dict, "a mapping"))


def _friendly(err: Any) -> str:
    kind = err["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling)"
    if kind == "string_pattern_mismatch":
        given = err.get("input")
        if isinstance(given, str) and len(given) > MAX_ID_CHARS and err.get("ctx", {}).get("pattern") == SLUG_PATTERN:
            return f"an id of {len(given):,} characters; at most {MAX_ID_CHARS} (e.g. belgorod-casualties)"
        return "must be a lower-case id: letters, digits, '-', '_' or '.' (e.g. belgorod-casualties)"
    if kind == "string_type":
        given = err.get("input")
        what = next((name for kinds, name in _WHAT_YAML_READ if isinstance(given, kinds)), type(given).__name__)
        quote = isinstance(given, (int, float, date))  # YAML read it as a number or a date: quoted, it is text
        return f"must be text, not {what}" + (f" (in quotes if it is meant as text: '{given}')" if quote else "")
    if kind == "enum":
        expected = err.get("ctx", {}).get("expected", "")
        shown = repr(err["input"])
        return f"unknown value {shown if len(shown) <= 60 else shown[:60] + '…'}; use one of {expected}"
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
    def ignore_aliases(self, data: Any) -> bool:
        # A reviewed file spells every value out: "&id001"/"*id001" would appear whenever
        # two fields happen to hold the same object (an event's date and end date).
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_enum(dumper: yaml.SafeDumper, value: Any) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value.value)


_Dumper.add_representer(str, _represent_str)
# A text that either YAML reads as something else is written quoted: YAML 1.1's rules are
# the dumper's own (for other tools reading the file), and YAML 1.2's are this reader's
# ("1e3" is a number to it, text to YAML 1.1).
for _tag, (_pattern, _first) in _YAML12.items():
    _Dumper.add_implicit_resolver(_tag, _pattern, _first)
_Dumper.add_representer(Status, _represent_enum)
