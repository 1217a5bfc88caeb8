"""Knowledge files and text as a hostile user would send them: each attack is refused with a
located, readable error (or made harmless), never a traceback, a hang or a broken community."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from knowledge import files, knowledge_file
from knowledge.errors import ClaimbotError
from knowledge.knowledge_file import (
    KnowledgeFileError,
    dump_knowledge,
    load_knowledge_file,
    parse_knowledge,
)
from knowledge.models import Figure, Source

from .conftest import ROOT, SEED_FILE

SEED_TEXT = SEED_FILE.read_text(encoding="utf-8")
FIGURE_LINE = "value: 70, unit: attackers killed"


def _problems(data: bytes | str) -> list[str]:
    with pytest.raises(KnowledgeFileError) as info:
        parse_knowledge(data, name="claims.yaml")
    return [str(p) for p in info.value.problems]


def _line(text: str, problem: str) -> str:
    """The line of `text` a located problem ("claims.yaml:12: ...") points at."""
    return text.splitlines()[int(problem.split(":")[1]) - 1]


def test_a_knowledge_file_error_is_a_claimbot_error() -> None:
    # Front ends catch ClaimbotError and show it; anything else is logged as a bug.
    assert issubclass(KnowledgeFileError, ClaimbotError) and issubclass(KnowledgeFileError, ValueError)


# --- 1. numbers that JSON cannot hold ---------------------------------------------------


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1.0e+13", "10000000000001", "1.0e+400"])
def test_a_non_finite_or_huge_figure_is_refused_where_it_is(value: str) -> None:
    text = SEED_TEXT.replace(FIGURE_LINE, FIGURE_LINE.replace("70", value, 1), 1)
    (problem,) = _problems(text)
    assert problem.startswith("claims.yaml:")
    assert ("events[0].topics[0].claims[0].figure.value: must be a finite number no larger than "
            "1,000,000,000,000") in problem
    assert f"value: {value}" in _line(text, problem)


def test_a_bool_is_not_a_figure() -> None:
    (problem,) = _problems(SEED_TEXT.replace(FIGURE_LINE, FIGURE_LINE.replace("70", "true", 1), 1))
    assert "figure.value: must be a number" in problem


@pytest.mark.parametrize("value", [0, 70, 0.5, 10**12, 1e12])
def test_every_valid_figure_survives_json(value: float) -> None:
    figure = Figure(value=value, unit="killed", wording="as said")
    assert Figure.model_validate_json(figure.model_dump_json()) == figure


# --- 2. crafted YAML ----------------------------------------------------------------------

# 412 bytes, 9**8 (43 million) values once every alias is written out.
ALIAS_BOMB = "claimbot: 1\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefg", "bcdefgh", strict=True)
) + "parties: [{id: p, name: P, aliases: *h}]\n"


def test_an_alias_bomb_is_refused_without_being_expanded() -> None:
    # Before: the duplicate-key walk and safe_load each expanded it (31 s). The node count
    # is memoised per node, so the refusal costs microseconds; no timing needed to prove it.
    (problem,) = _problems(ALIAS_BOMB)
    assert "expands to more than 200,000 values (aliases counted in full)" in problem
    assert problem.startswith("claims.yaml:")


def test_a_shared_mapping_is_checked_for_duplicate_keys_once() -> None:
    text = "claimbot: 1\nx: &m {k: 1, k: 2}\ny: [" + ", ".join(["*m"] * 50) + "]\n"
    duplicates = [p for p in _problems(text) if "appears twice" in p]
    assert duplicates == ["claims.yaml:2: x.k: key 'k' appears twice in the same mapping"]


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "claimbot: 1\nparties: &p [{id: p, name: P, aliases: *p}]\n"])
def test_a_recursive_alias_is_refused(text: str) -> None:
    assert any("recursive structure" in p for p in _problems(text))


@pytest.mark.parametrize("nesting", ["flow", "block"])
def test_deep_nesting_is_refused_not_a_recursion_error(nesting: str) -> None:
    if nesting == "flow":
        text = "claimbot: 1\nx: " + "[" * 10_000 + "]" * 10_000 + "\n"
    else:
        text = "claimbot: 1\n" + "".join(" " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "v\n"
    (problem,) = _problems(text)
    assert "nested more than 64 levels deep" in problem or "maximum nesting depth" in problem
    line = int(problem.split(":")[1])  # where the nesting goes too deep
    assert line == 2 if nesting == "flow" else line == 2 + 64


@pytest.mark.parametrize("number", ["9" * 5000, "-" + "1" * 31, "0x" + "f" * 40, "!!int " + "1" + ":59" * 3000])
def test_a_huge_integer_is_refused_where_it_is(number: str) -> None:
    text = SEED_TEXT.replace(FIGURE_LINE, FIGURE_LINE.replace("70", number, 1), 1)
    (problem,) = _problems(text)
    assert "events[0].topics[0].claims[0].figure.value: a number with" in problem
    assert "at most 30 are allowed" in problem
    assert _line(text, problem).strip().startswith("figure:")


@pytest.mark.parametrize(("written", "read"), [("012", 12), ("0o17", 15), ("1e3", 1000), ("70", 70)])
def test_numbers_are_read_as_yaml_1_2_reads_them(written: str, read: int) -> None:
    # YAML 1.1 (PyYAML's default) reads 012 as octal 10: a party's figure silently changed.
    text = SEED_TEXT.replace(FIGURE_LINE, FIGURE_LINE.replace("70", written, 1), 1)
    kb = parse_knowledge(text, name="claims.yaml")
    assert kb.claims["russia-70-attackers-killed"].figure.value == read  # type: ignore[union-attr]


@pytest.mark.parametrize("written", ["1:10", "1_000"])
def test_what_yaml_1_1_alone_reads_as_a_number_is_text(written: str) -> None:
    # 1:10 was base 60 (70) in YAML 1.1; here it is text, and a figure's value must be a number.
    text = SEED_TEXT.replace(FIGURE_LINE, FIGURE_LINE.replace("70", written, 1), 1)
    (problem,) = _problems(text)
    assert "figure.value: must be a number" in problem


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("date: 2023-02-30", "'2023-02-30' is not a valid date"),  # looks like a date, is not one
        ("date: !!timestamp soon", "'soon' is not a valid date"),
        ("date: !!int many", "'many' is not a valid integer"),
        ("date: !!bool maybe", "'maybe' is not a valid true/false value"),
    ],
)
def test_a_value_yaml_cannot_construct_is_located(snippet: str, expected: str) -> None:
    text = SEED_TEXT.replace("date: 2023-05-22", snippet, 1)
    (problem,) = _problems(text)
    assert f"events[0].date: {expected}" in problem and snippet in _line(text, problem)


@pytest.mark.parametrize("text", ["claimbot: 1\n? [a]\n: b\n", "claimbot: 1\n~: x\n", "? {a: 1}\n: 2\n"])
def test_odd_keys_are_refused_not_a_traceback(text: str) -> None:
    assert _problems(text)


def test_a_file_with_thousands_of_problems_keeps_its_message_short() -> None:
    text = "claimbot: 1\nparties:\n" + "".join(f"  - {{id: 'Bad {i}'}}\n" for i in range(2000))
    with pytest.raises(KnowledgeFileError) as info:
        parse_knowledge(text, name="claims.yaml")
    assert len(info.value.problems) == 4000 and str(info.value).endswith("... and 3,950 more")


# --- 3. files that are not files ------------------------------------------------------------


def _load_in_thread(path: Path | str) -> BaseException | None:
    """load_knowledge_file on a thread, so a hang fails the test instead of stalling the suite."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            load_knowledge_file(path)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert outcome, f"load_knowledge_file({path}) hung"
    return outcome[0]


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "claims.yaml"
    os.mkfifo(fifo)  # nobody will ever write to it: a plain open() would wait forever
    error = _load_in_thread(fifo)
    assert isinstance(error, KnowledgeFileError)
    assert "is not a regular file (a device, pipe or socket)" in str(error)


def test_dev_zero_is_refused_without_reading_it() -> None:
    # In a child process with a memory cap: before the fix, this read /dev/zero until
    # memory ran out (stat() says its size is 0, under any cap).
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))\n"
        "from knowledge.knowledge_file import KnowledgeFileError, load_knowledge_file\n"
        "try:\n    load_knowledge_file('/dev/zero')\nexcept KnowledgeFileError as exc:\n    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "/dev/zero: (file): is not a regular file (a device, pipe or socket)" in done.stdout


def test_a_directory_is_refused_clearly(tmp_path: Path) -> None:
    error = _load_in_thread(tmp_path)
    assert isinstance(error, KnowledgeFileError) and "is a directory" in str(error)


def load_error(path: Path) -> Exception:
    try:
        load_knowledge_file(path)
    except Exception as exc:  # noqa: BLE001 - the test looks at which
        return exc
    raise AssertionError(f"{path} was accepted")


def test_a_missing_or_unreadable_file_is_refused_clearly(tmp_path: Path) -> None:
    assert "cannot read: No such file or directory" in str(_load_in_thread(tmp_path / "nope.yaml"))
    locked = tmp_path / "locked.yaml"
    locked.write_text(SEED_TEXT)
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            # Root (as in CI) reads any file: permissions cannot be made to fail for real,
            # so the refusal the OS would give is given in its place.
            def refuse(path: object, *args: object, **kwargs: object) -> int:
                raise PermissionError(13, "Permission denied", str(path))

            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(os, "open", refuse)
                message = str(load_error(locked))
        else:
            message = str(_load_in_thread(locked))
        assert "cannot read: Permission denied" in message
    finally:
        locked.chmod(0o600)


def test_a_file_over_the_cap_is_refused_after_reading_at_most_the_cap(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(knowledge_file, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * 50_000)
    read: list[int] = []
    real_read = os.read

    def counting_read(fd: int, n: int) -> bytes:
        chunk = real_read(fd, n)
        read.append(len(chunk))
        return chunk

    monkeypatch.setattr(files.os, "read", counting_read)
    with pytest.raises(KnowledgeFileError, match="larger than"):
        load_knowledge_file(big)
    assert sum(read) <= 1001


# --- 4. control and invisible characters -------------------------------------------------------


def _with_statement(yaml_scalar: str) -> str:
    return SEED_TEXT.replace("statement: 70 attackers were killed.", f"statement: {yaml_scalar}", 1)


def test_control_characters_never_reach_storage_or_a_terminal() -> None:
    kb = parse_knowledge(_with_statement(r'"\e[31mRed\a alert\0 \u202Eevil\u202C here"'))
    statement = kb.claims["russia-70-attackers-killed"].statement
    assert statement == "Red alert evil here"  # the escape sequence goes whole, not just its ESC
    assert not any(ch in statement for ch in "\x1b\x07\x00\u202e\u202c")
    assert "\x1b" not in dump_knowledge(kb)


def test_a_statement_of_only_invisible_characters_is_refused() -> None:
    text = _with_statement(r'"\u200B\u200B\u3164 \uFEFF"')
    (problem,) = _problems(text)
    assert ("events[0].topics[0].claims[0].statement: is empty once invisible and control characters "
            "are removed") in problem


def test_joiners_needed_by_scripts_and_emoji_are_kept_inside_text() -> None:
    persian = "می\u200cخواهم"  # ZWNJ: "I want", written correctly
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"  # ZWJ emoji sequence
    kb = parse_knowledge(_with_statement(f'"\u200b{persian} {family}\u200d"'))
    assert kb.claims["russia-70-attackers-killed"].statement == f"{persian} {family}"


def test_single_line_fields_lose_their_line_breaks() -> None:
    text = SEED_TEXT.replace("name: Russia (Moscow)", r'name: "Russia\r\n(Moscow)\t"', 1)
    assert parse_knowledge(text).parties["russia"].name == "Russia (Moscow)"


# --- 5. URLs that inject Markdown or spoof their host ----------------------------------------------

INJECTION = "https://example.org/a)[BBC Verify confirmed this](https://evil.example/phish"


def _url(url: str) -> str:
    return Source.model_validate({"id": "s", "publisher": "P", "title": "T", "url": url}).url or ""


@pytest.mark.parametrize("url", [INJECTION, INJECTION.replace(" ", "_"), INJECTION.replace(" ", "%20")])
def test_a_markdown_link_cannot_be_injected_through_a_source_url(url: str) -> None:
    try:
        stored = _url(url)
    except ValidationError:
        return  # refused: fine
    assert not any(ch in stored for ch in "()[]<>")


def test_the_injection_in_a_knowledge_file_is_refused_or_defused() -> None:
    # Without spaces, which the old check already refused: only the parentheses carry the attack.
    text = SEED_TEXT.replace("    url: null\n", f"    url: '{INJECTION.replace(' ', '_')}'\n", 1)
    try:
        kb = parse_knowledge(text)
    except KnowledgeFileError as exc:
        assert "sources[0].url: must be a full http(s) URL" in str(exc)
    else:
        assert not any(ch in (kb.sources["belgorod-article"].url or "") for ch in "()[]<>")


@pytest.mark.parametrize(
    "url",
    ["https://bbc.co.uk@evil.example/", "https://user:pw@example.org/", "https://bbc.co.uk\\@evil.example/",
     "javascript:alert(1)", "https://exa\u200bmple.org/", "https://example.org/\u202egnp.exe",
     "https://example.org/a\tb", "https:///path-only", "https://" + "a" * 2001 + ".org/"],
)
def test_spoofing_and_invisible_urls_are_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="http"):
        _url(url)


def test_urls_with_parentheses_still_work_and_are_stored_encoded() -> None:
    stored = _url("https://en.wikipedia.org/wiki/Belgorod_(city)")
    assert stored == "https://en.wikipedia.org/wiki/Belgorod_%28city%29"
    assert _url(stored) == stored  # what is stored validates as itself
    assert _url("HTTPS://Example.org/q?a=<b>&c='d'`") == "https://Example.org/q?a=%3Cb%3E&c=%27d%27%60"


# --- the fuzz run -----------------------------------------------------------------------------------


@pytest.mark.fuzz
def test_the_fuzz_run_finds_no_tracebacks_and_no_broken_communities() -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.fuzz import run_fuzz

    result: dict[str, Any] = run_fuzz(files=300, questions=300, seed=1)
    assert result["tracebacks"] == 0, result["samples"]
    assert result["broken_communities"] == 0, result["samples"]
    assert result["accepted"] > 0 and result["refused"] > 0  # both paths were exercised


@pytest.mark.parametrize(("written", "expected"), [
    ("a" * 5000, "id: an id of 5,000 characters; at most 80"),
    ("~", "id: must be text, not nothing (null)"),
    ("12", "id: must be text, not a number (in quotes if it is meant as text: '12')"),
])
def test_an_id_that_cannot_be_one_says_why(written: str, expected: str) -> None:
    text = SEED_TEXT.replace("id: russia-70-attackers-killed", f"id: {written}", 1)
    problems = _problems(text)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(("data", "expected"), [
    (SEED_TEXT.replace("70 attackers were killed.", "70 attackers\x1b were killed.", 1).encode(),
     "the character U+001B is not allowed"),
    (SEED_TEXT.encode().replace(b"70 attackers were killed.", b"70 \xe9 were killed.", 1), "not UTF-8 text"),
])
def test_a_character_no_yaml_holds_is_located_by_its_line(data: bytes, expected: str) -> None:
    (problem,) = _problems(data)
    assert expected in problem
    assert "70" in _line(data.decode("utf-8", "replace"), problem)  # the line it is on
