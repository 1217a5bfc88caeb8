"""Hostile input, measured: knowledge files and questions a hostile user would send.

    python benchmarks/fuzz.py                                  # 10,000 files, 10,000 questions
    python benchmarks/fuzz.py --files 2000 --questions 2000 --seed 7 --json

Each generated knowledge file (valid, mutated from a valid one, or crafted: alias bombs,
deep nesting, huge numbers, control and invisible characters, Markdown-injecting URLs,
duplicate keys, random bytes) goes through `parse_knowledge`. A file that is accepted is
imported into a fresh community of a real SQLite `ClaimService`, and that community must
then still answer a question and export. Then the questions (random Unicode, control
characters, zero-width only, very long, Cyrillic and Arabic) are asked of the seed community.

Counted: tracebacks (an exception that is not a `ClaimbotError`, `KnowledgeFileError` or
`QuestionError`: a bug, whatever the input), broken communities (accepted and imported,
then `ask` or `export` fails, or the export does not read back), and the slowest file.
`run_fuzz` is the same run for a test.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import random
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml

from knowledge.answers import QuestionError
from knowledge.clock import SystemClock
from knowledge.errors import ClaimbotError
from knowledge.knowledge_file import KnowledgeFileError, dump_knowledge, parse_knowledge
from knowledge.service import ClaimService
from knowledge.storage import Store

SEED = ROOT / "seeds" / "belgorod-incursion.claims.yaml"
SEED_COMMUNITY = "seed"
EXPECTED = (ClaimbotError, KnowledgeFileError, QuestionError)  # refusals written for a person
MAX_SAMPLES = 10  # tracebacks and broken communities kept for the report, each

# Characters a hostile user reaches for: ANSI escapes, NUL, BEL, bidi overrides, zero-width,
# fillers, line separators, BOMs, lone surrogates (only reachable in text, not in a file).
NASTY = ["\x00", "\x07", "\x1b[31m", "\x1b]8;;https://evil.example\x07", "\x7f", "\x85", "\x9b", "\r", "\r\n",
         "\t", "\u200b", "\u200c", "\u200d", "\u200e", "\u202e", "\u2066", "\u2069", "\u2028", "\ufeff",
         "\u3164", "\u115f", "\u2800", "\u0301", "\ufffe", "\U000e0041", "\ufe0f"]
WORDS = ["Belgorod", "casualties", "killed", "how many", "Gladkov", "drones", "Bakhmut", "Kyiv", "attackers",
         "Белгород", "сколько погибших", "Гладков", "بلغورود", "كم عدد القتلى", "کشته شدند", "🇺🇦", "👨‍👩‍👧",
         "مرحبا\u200cبالعالم", "RVC", "Legion", "?", "who", "what did", "the", "of"]
BAD_URLS = [
    "https://example.org/a)[BBC Verify confirmed this](https://evil.example/phish",
    "https://example.org/a)[BBC_Verify_confirmed_this](https://evil.example/phish",
    "https://bbc.co.uk@evil.example/", "https://bbc.co.uk\\@evil.example/", "javascript:alert(1)",
    "https://exa mple.org/", "https://example.org/\u202egnp.exe", "ftp://example.org/", "https://", "//example.org/",
    "https://en.wikipedia.org/wiki/Belgorod_(city)", "https://example.org/<img>'\"`", "http://[::1%25)]/",
    "https://" + "a" * 2100 + ".org/", "https://example.org:99999/", "https://-bad-.org/", "https://例え.jp/パス",
]


@dataclass
class Report:
    files: int = 0
    questions: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    accepted: int = 0
    refused: int = 0
    refused_at_import: int = 0
    tracebacks: int = 0
    broken_communities: int = 0
    slowest_file_seconds: float = 0.0
    slowest_file_kind: str = ""
    answers: Counter[str] = field(default_factory=Counter)
    question_refusals: int = 0
    question_tracebacks: int = 0
    slowest_question_seconds: float = 0.0
    logged_errors: int = 0  # errors with a traceback logged by the domain (e.g. a background writer)
    samples: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def sample(self, what: str) -> None:
        if len(self.samples) < 2 * MAX_SAMPLES:
            self.samples.append(what)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files, "questions": self.questions, "kinds": dict(self.kinds),
            "accepted": self.accepted, "refused": self.refused, "refused_at_import": self.refused_at_import,
            "tracebacks": self.tracebacks + self.question_tracebacks,
            "file_tracebacks": self.tracebacks, "question_tracebacks": self.question_tracebacks,
            "broken_communities": self.broken_communities,
            "slowest_file_seconds": round(self.slowest_file_seconds, 4), "slowest_file_kind": self.slowest_file_kind,
            "answers": dict(self.answers), "question_refusals": self.question_refusals,
            "slowest_question_seconds": round(self.slowest_question_seconds, 4),
            "logged_errors": self.logged_errors,
            "samples": self.samples, "seconds": round(self.seconds, 2),
        }


# --- generated knowledge files --------------------------------------------------------


class Files:
    """Knowledge files, valid, mutated and hostile, from one seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seed_text = SEED.read_text(encoding="utf-8")
        self.hostile: list[Callable[[], bytes | str]] = [
            self.alias_bomb, self.merge_bomb, self.recursive_alias, self.deep_flow, self.deep_block,
            self.huge_int, self.odd_number, self.control_characters, self.bad_url, self.duplicate_keys,
            self.random_bytes, self.invalid_utf8, self.tags, self.many_problems, self.long_text,
            self.invisible_only, self.two_documents,
        ]

    def make(self) -> tuple[str, bytes | str]:
        roll = self.rng.random()
        if roll < 0.3:
            return "valid", self.valid()
        if roll < 0.6:
            return "mutated", self.mutated()
        make = self.rng.choice(self.hostile)
        return make.__name__, make()

    # --- pieces

    def text(self, *, nasty: float = 0.2, words: int = 4) -> str:
        rng = self.rng
        out = [rng.choice(WORDS)]  # something visible, so most texts are valid once cleaned
        for _ in range(rng.randint(0, words - 1)):
            roll = rng.random()
            if roll < nasty:
                out.append(rng.choice(NASTY))
            elif roll < nasty + 0.1:
                out.append("".join(_char(rng) for _ in range(rng.randint(1, 5))))
            else:
                out.append(rng.choice(WORDS))
        return " ".join(out)

    def number(self) -> Any:
        rng = self.rng
        return rng.choice([
            rng.randint(0, 10_000), rng.randint(0, 10**12), rng.random() * 1000, 10**12, 10**12 + 1,
            -rng.randint(1, 100), float("inf"), float("-inf"), float("nan"), 1e300, 10**40, True, "70", None,
        ]) if rng.random() < 0.15 else rng.randint(0, 5000)

    def doc(self) -> dict[str, Any]:
        """A claim base as a YAML document, mostly valid, with hostile values here and there."""
        rng = self.rng
        sources = [{"id": f"src-{i}", "publisher": self.text(), "title": self.text(words=8),
                    **({"url": rng.choice(BAD_URLS)} if rng.random() < 0.1 else
                       {"url": f"https://news{i}.example/article/{rng.randint(1, 10**6)}"}),
                    **({"document": f"copies/{i}.txt"} if rng.random() < 0.3 else {})}
                   for i in range(rng.randint(1, 3))]
        parties = [{"id": f"party-{i}", "name": self.text(), "aliases": [self.text(words=2) for _ in range(2)]}
                   for i in range(rng.randint(1, 4))]
        events = []
        for e in range(rng.randint(1, 2)):
            topics = []
            for t in range(rng.randint(1, 3)):
                claims = []
                for c in range(rng.randint(0, 4)):
                    claim: dict[str, Any] = {
                        "id": f"c-{e}-{t}-{c}", "party": rng.choice(parties)["id"],
                        "statement": self.text(words=10), "sources": [rng.choice(sources)["id"]],
                        "status": rng.choice(["unverified", "disputed", "retracted", "confirmed"]),
                    }
                    if claim["status"] == "confirmed":
                        claim["verification"] = {"by": self.text(words=2)}
                    if rng.random() < 0.5:
                        claim["figure"] = {"value": self.number(), "unit": self.text(words=2)}
                    if rng.random() < 0.2:
                        claim["quote"] = self.text(words=6)
                    claims.append(claim)
                topics.append({"id": f"topic-{e}-{t}", "title": self.text(words=5),
                               "aliases": [self.text(words=4)], "claims": claims})
            events.append({"id": f"event-{e}", "title": self.text(words=4), "date": datetime.date(2023, 5, 22),
                           "summary": self.text(words=12), "topics": topics})
        return {"claimbot": 1, "sources": sources, "parties": parties, "events": events}

    def dump(self, doc: Any) -> str:
        return yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False)

    # --- kinds

    def valid(self) -> str:
        return self.dump(self.doc())

    def mutated(self) -> bytes | str:
        rng = self.rng
        text = self.seed_text if rng.random() < 0.5 else self.valid()
        for _ in range(rng.randint(1, 5)):
            at = rng.randrange(len(text) + 1)
            op = rng.randrange(6)
            if op == 0:  # cut a span
                text = text[:at] + text[at + rng.randint(1, 80):]
            elif op == 1:  # insert something hostile
                text = text[:at] + rng.choice([*NASTY, *WORDS, "&a ", "*a", "!!int ", ": ", "- ", "[", "{", "\n  "]) + text[at:]
            elif op == 2:  # duplicate a line (often a duplicate key)
                lines = text.splitlines(keepends=True)
                if lines:
                    i = rng.randrange(len(lines))
                    lines.insert(i, lines[i])
                    text = "".join(lines)
            elif op == 3:  # re-indent a line
                lines = text.splitlines(keepends=True)
                if lines:
                    i = rng.randrange(len(lines))
                    lines[i] = " " * rng.randint(0, 6) + lines[i].lstrip(" ")
                    text = "".join(lines)
            elif op == 4:  # truncate
                text = text[:at]
            else:  # flip a byte
                data = bytearray(text.encode("utf-8"))
                if data:
                    data[rng.randrange(len(data))] = rng.randrange(256)
                return bytes(data)
        return text

    def alias_bomb(self) -> str:
        levels, width = self.rng.randint(6, 12), self.rng.randint(5, 12)
        lines = ["claimbot: 1", "a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
        lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels + 1)]
        if self.rng.random() < 0.5:  # the bomb where a record is read
            lines += ["parties:", f"  - {{id: p, name: P, aliases: *a{levels}}}"]
        return "\n".join(lines) + "\n"

    def merge_bomb(self) -> str:
        lines = ["claimbot: 1", "m0: &m0 {a: 1, b: 2}"]
        n = self.rng.randint(20, 60)
        lines += [f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}], k{i}: {i}}}" for i in range(1, n)]
        return "\n".join(lines) + "\n"

    def recursive_alias(self) -> str:
        return self.rng.choice(["a: &a [*a]\n", "claimbot: 1\nparties: &p [{id: p, name: P, aliases: *p}]\n",
                                "&a {x: *a}\n"])

    def deep_flow(self) -> str:
        n = self.rng.choice([65, 500, 10_000, 100_000])
        return "claimbot: 1\nx: " + "[" * n + "]" * n + "\n"

    def deep_block(self) -> str:
        n = self.rng.choice([65, 300, 2000])
        return "claimbot: 1\n" + "".join(" " * i + f"k{i}:\n" for i in range(n)) + " " * n + "v\n"

    def huge_int(self) -> str:
        digits = self.rng.choice([31, 100, 4301, 5000, 50_000])
        number = "9" * digits if self.rng.random() < 0.7 else "1" + ":59" * digits  # sexagesimal, YAML 1.1
        text = self.dump(self.doc())
        where = self.rng.randrange(3)
        if where == 0:
            return text.replace("claimbot: 1\n", f"claimbot: 1\nbig: {number}\n", 1)
        if where == 1:
            return text.replace("date: 2023-05-22", f"date: {number}", 1)
        return re.sub(r"value: \S+", f"value: {number}", text, count=1)

    def odd_number(self) -> str:
        doc = self.doc()
        for event in doc["events"]:
            for topic in event["topics"]:
                for claim in topic["claims"]:
                    claim["figure"] = {"value": self.rng.choice([float("inf"), float("nan"), -1, 10**13, 1e308, True,
                                                                 "1e400", 0.1, 10**12]), "unit": "killed"}
        text = self.dump(doc)
        return text.replace("value: '1e400'", "value: 1e400") if self.rng.random() < 0.5 else text

    def control_characters(self) -> str:
        doc = self.doc()
        claim = next((c for e in doc["events"] for t in e["topics"] for c in t["claims"]), None)
        target = claim if claim is not None else doc["parties"][0]
        field = "statement" if claim is not None else "name"
        target[field] = self.rng.choice(NASTY) + self.text(nasty=0.6) + self.rng.choice(NASTY)
        return self.dump(doc)

    def bad_url(self) -> str:
        doc = self.doc()
        for source in doc["sources"]:
            source["url"] = self.rng.choice(BAD_URLS)
        return self.dump(doc)

    def duplicate_keys(self) -> str:
        return self.seed_text.replace("status: confirmed\n", "status: confirmed\n            status: false\n") \
            .replace("claimbot: 1\n", self.rng.choice(["claimbot: 1\nclaimbot: 1\n", "claimbot: 1\n"]))

    def random_bytes(self) -> bytes:
        return bytes(self.rng.randrange(256) for _ in range(self.rng.randint(0, 400)))

    def invalid_utf8(self) -> bytes:
        data = self.valid().encode("utf-8")
        at = self.rng.randrange(len(data))
        return data[:at] + self.rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00"]) + data[at:]

    def tags(self) -> str:
        tag = self.rng.choice(["!!python/object:os.system", "!!binary", "!!int", "!!float", "!!bool", "!!timestamp",
                               "!!set", "!!omap", "!!str", "!custom", "!!null", "!!seq", "!!map"])
        value = self.rng.choice(["foo", "''", "[1, 2]", "{a: 1}", "2023-02-30", "0x1F", "70", "~"])
        return self.seed_text.replace("statement: 70 attackers were killed.", f"statement: {tag} {value}", 1)

    def many_problems(self) -> str:
        n = self.rng.choice([500, 3000])
        return "claimbot: 1\nparties:\n" + "".join(f"  - {{id: 'Bad Id {i}', nme: x}}\n" for i in range(n))

    def long_text(self) -> str:
        doc = self.doc()
        doc["parties"][0]["name"] = "A" * self.rng.choice([201, 10_000, 1_000_000])
        return self.dump(doc)

    def invisible_only(self) -> str:
        doc = self.doc()
        doc["parties"][0]["name"] = "".join(self.rng.choice(["\u200b", "\u200d", "\u3164", "\ufeff", " ", "\u202e"])
                                            for _ in range(self.rng.randint(1, 8)))
        return self.dump(doc)

    def two_documents(self) -> str:
        return self.seed_text + "\n---\nclaimbot: 1\n"


def _char(rng: random.Random) -> str:
    # Any character a UTF-8 file can hold (lone surrogates are for the question path).
    while 0xD800 <= (cp := rng.randint(0x20, 0x2FFFF)) <= 0xDFFF:
        pass
    return chr(cp)


class _Dumper(yaml.SafeDumper):
    """Writes bools, infinities and NaN as YAML does: the point is to send them."""


# --- generated questions --------------------------------------------------------------


def question(rng: random.Random) -> str:
    kind = rng.randrange(7)
    if kind == 0:  # random Unicode, any plane
        return "".join(chr(rng.randint(0, 0x10FFFF)) for _ in range(rng.randint(0, 40)))
    if kind == 1:  # controls inside a real question
        return rng.choice(WORDS) + rng.choice(NASTY) + " " + rng.choice(WORDS)
    if kind == 2:  # nothing visible
        return "".join(rng.choice(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", " ", "\t", "\u3164"])
                       for _ in range(rng.randint(0, 20)))
    if kind == 3:  # very long
        return " ".join(rng.choice(WORDS) for _ in range(rng.choice([300, 2000, 20_000])))
    if kind == 4:  # Cyrillic and Arabic, right-to-left marks and overrides
        return rng.choice(["сколько погибших в Белгороде?", "что сказал Гладков", "كم عدد القتلى في بيلغورود؟",
                           "\u202eكم عدد القتلى", "چند نفر کشته شدند\u200c؟"]) + rng.choice(["", "\u200f", "\u202e"])
    if kind == 5:  # lone surrogates, as a broken client might send
        return "how many" + rng.choice(["\ud800", "\udc80", "\udfff"]) + " casualties"
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 8)))


# --- the run --------------------------------------------------------------------------


def run_fuzz(files: int = 10_000, questions: int = 10_000, seed: int = 0) -> dict[str, Any]:
    """Run the fuzz and return its figures (see `Report.as_dict`); `tracebacks` and
    `broken_communities` are the ones that must be zero."""
    rng = random.Random(seed)
    report = Report(files=files, questions=questions)
    started = time.perf_counter()
    # Errors the domain only logs (a background thread cannot raise to the caller) are
    # failures too: count them instead of letting them scroll past on stderr.
    errors = _ErrorLog()
    domain_log = logging.getLogger("knowledge")
    domain_log.addHandler(errors)
    propagate, domain_log.propagate = domain_log.propagate, False
    try:
        _run(report, rng, files, questions)
    finally:
        domain_log.removeHandler(errors)
        domain_log.propagate = propagate
    report.logged_errors = len(errors.records)
    for record in errors.records[:MAX_SAMPLES]:
        exc = record.exc_info[1] if record.exc_info else None
        report.sample(f"logged by {record.name}: {record.getMessage()}" + (f" ({type(exc).__name__}: {exc})" if exc else ""))
    report.seconds = time.perf_counter() - started
    return report.as_dict()


class _ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _run(report: Report, rng: random.Random, files: int, questions: int) -> None:
    with tempfile.TemporaryDirectory(prefix="claimbot-fuzz-") as tmp:
        service = ClaimService(Store(f"sqlite:///{Path(tmp) / 'fuzz.sqlite3'}", clock=SystemClock()),
                               seed_files=[SEED])
        try:
            service.ensure_seeded(SEED_COMMUNITY)
            gen = Files(rng)
            for i in range(files):
                kind, data = gen.make()
                report.kinds[kind] += 1
                _one_file(service, report, f"fuzz-{i}", kind, data)
            for _ in range(questions):
                _one_question(service, report, question(rng))
        finally:
            service.close()


def _one_file(service: ClaimService, report: Report, community: str, kind: str, data: bytes | str) -> None:
    t0 = time.perf_counter()
    stage = "parse"
    try:
        try:
            kb = parse_knowledge(data, name=f"{kind}.yaml")
        except KnowledgeFileError:
            report.refused += 1
            return
        report.accepted += 1
        stage = "import"
        try:
            service.import_knowledge(community, kb, actor="fuzz")
        except ClaimbotError:
            report.refused_at_import += 1  # a refusal, but the parser should have caught it
            report.sample(f"refused at import ({kind}): {traceback.format_exc(limit=0).strip()}")
            return
        stage = "use"
        try:
            topic = next(iter(service.knowledge(community).topics.values()), None)
            service.ask(community, topic.title if topic else "how many were killed?")
            exported = service.export(community)
            if dump_knowledge(parse_knowledge(exported, name="export.yaml")) != exported:
                raise AssertionError("the export does not read back as itself")
        except Exception:  # noqa: BLE001 - any failure here is a community left broken
            report.broken_communities += 1
            report.sample(f"broken community ({kind}): {traceback.format_exc(limit=-3).strip()}")
        finally:
            service._communities.pop(community, None)  # keep memory flat over thousands of communities
    except EXPECTED:
        report.refused += 1
    except Exception:  # noqa: BLE001 - the point: count what escapes
        report.tracebacks += 1
        report.sample(f"traceback at {stage} ({kind}): {traceback.format_exc(limit=-3).strip()}")
    finally:
        elapsed = time.perf_counter() - t0
        if elapsed > report.slowest_file_seconds:
            report.slowest_file_seconds, report.slowest_file_kind = elapsed, kind


def _one_question(service: ClaimService, report: Report, text: str) -> None:
    t0 = time.perf_counter()
    try:
        answer = service.ask(SEED_COMMUNITY, text)
        report.answers[answer.decision] += 1
    except EXPECTED:
        report.question_refusals += 1
    except Exception:  # noqa: BLE001
        report.question_tracebacks += 1
        report.sample(f"question traceback for {text[:60]!r}: {traceback.format_exc(limit=-3).strip()}")
    finally:
        report.slowest_question_seconds = max(report.slowest_question_seconds, time.perf_counter() - t0)


def _table(result: dict[str, Any]) -> str:
    rows = [
        ("files", f"{result['files']:,} ({', '.join(f'{k} {v}' for k, v in sorted(result['kinds'].items()))})"),
        ("accepted / refused", f"{result['accepted']:,} / {result['refused']:,}"),
        ("accepted, refused at import", f"{result['refused_at_import']:,}"),
        ("tracebacks (files / questions)", f"{result['file_tracebacks']} / {result['question_tracebacks']}"),
        ("broken communities", f"{result['broken_communities']}"),
        ("slowest file", f"{result['slowest_file_seconds']:.3f} s ({result['slowest_file_kind']})"),
        ("questions", f"{result['questions']:,}: " + ", ".join(f"{k} {v}" for k, v in sorted(result['answers'].items()))
         + f", refused {result['question_refusals']}"),
        ("slowest question", f"{result['slowest_question_seconds']:.3f} s"),
        ("errors logged by the domain", f"{result['logged_errors']}"),
        ("wall time", f"{result['seconds']:.1f} s"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    lines += [f"  - {s}" for s in result["samples"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    result = run_fuzz(args.files, args.questions, args.seed)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else _table(result))
    return 1 if result["tracebacks"] or result["broken_communities"] else 0


if __name__ == "__main__":
    sys.exit(main())
