from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.knowledge_file import KnowledgeFileError, dump_knowledge, load_knowledge_file, parse_knowledge
from knowledge.models import Status

from .conftest import SEED_FILE


def test_seed_file_holds_every_attributed_party(seed_kb: KnowledgeBase) -> None:
    parties = {c.party for c in seed_kb.claims.values()}
    # Every party the article attributes a claim to, as the article attributes it.
    assert {"russia", "ru-mod", "gladkov", "us-state-dept", "ukraine-officials", "legion-rvc", "bbc", "outlet"} <= parties
    assert "Gladkov" in seed_kb.parties["gladkov"].name
    assert "Matthew Miller" in seed_kb.parties["us-state-dept"].name


def test_seed_statuses_follow_the_article(seed_kb: KnowledgeBase) -> None:
    by_status = {s: [c for c in seed_kb.claims.values() if c.status is s] for s in Status}
    # What the BBC confirmed is confirmed, by the BBC.
    assert [c.id for c in by_status[Status.CONFIRMED]] == ["bbc-fsb-building-confirmed"]
    assert by_status[Status.CONFIRMED][0].verification.by == "BBC"  # type: ignore[union-attr]
    # The claim Kyiv disputes is disputed, by Ukrainian officials.
    bakhmut = seed_kb.claims["russia-captured-bakhmut"]
    assert bakhmut.status is Status.DISPUTED and bakhmut.disputed_by == ["ukraine-officials"]
    # Everything else is "not independently verified".
    assert len(by_status[Status.UNVERIFIED]) == len(seed_kb.claims) - 2
    assert all(c.sources == ["belgorod-article"] for c in seed_kb.claims.values())


def test_seed_has_no_page_furniture(seed_kb: KnowledgeBase) -> None:
    text = dump_knowledge(seed_kb).lower()
    for furniture in ("7.6 c", "new york", "latest posts", "don't miss", "stay in touch", "newsletter", "april 25, 2024"):
        assert furniture not in text


def test_round_trip_is_exact(seed_kb: KnowledgeBase) -> None:
    once = dump_knowledge(seed_kb)
    again = parse_knowledge(once)
    assert dump_knowledge(again) == once
    assert again.claims == seed_kb.claims and again.topics == seed_kb.topics
    assert list(again.topics) == list(seed_kb.topics)  # the curator's order survives


def _errors(text: str) -> list[str]:
    with pytest.raises(KnowledgeFileError) as info:
        parse_knowledge(text, name="claims.yaml")
    return [str(p) for p in info.value.problems]


SEED_TEXT = SEED_FILE.read_text(encoding="utf-8")


def test_missing_field_names_file_line_and_path() -> None:
    text = SEED_TEXT.replace("            statement: 70 attackers were killed.\n", "", 1)
    (error,) = _errors(text)
    assert error.startswith("claims.yaml:")
    assert "events[0].topics[0].claims[0].statement: required field is missing" in error
    line = int(error.split(":")[1])
    assert "id: russia-70-attackers-killed" in text.splitlines()[line - 1]


def test_unknown_status_names_its_line() -> None:
    text = SEED_TEXT.replace("status: confirmed", "status: verified")
    errors = _errors(text)
    assert any("claims[0].status" in e and "'confirmed'" in e for e in errors)
    line = int(errors[0].split(":")[1])
    assert "status: verified" in text.splitlines()[line - 1]


def test_bad_url_duplicate_id_and_unknown_party_are_all_reported() -> None:
    text = SEED_TEXT.replace("    url: null\n", "    url: not-a-url\n")
    text = text.replace("id: gladkov-one-civilian-killed", "id: russia-70-attackers-killed")
    text = text.replace("party: gladkov\n            statement: >-\n              The city", "party: gladkof\n            statement: >-\n              The city")
    errors = "\n".join(_errors(text))
    assert "sources[0].url: must be a full http(s) URL" in errors
    assert "duplicate claim id 'russia-70-attackers-killed' (first used at events[0].topics[0].claims[0])" in errors
    assert "unknown party 'gladkof'" in errors


def test_duplicate_keys_are_errors_not_silent_overwrites() -> None:
    text = SEED_TEXT.replace("status: confirmed\n", "status: confirmed\n            status: false\n")
    assert any("key 'status' appears twice" in e for e in _errors(text))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x00\x01\x02binary", "binary file"),
        (b"\xff\xfe\xfa", "not UTF-8"),
        (b"claimbot: 1\nevents: [\n", "not valid YAML"),
        (b"- just\n- a list\n", "a knowledge file is a mapping"),
        (b"claimbot: 3\n", "claimbot: must be 2"),
        (b"claimbot: 1\nsorces: []\n", "unknown section"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(content: bytes, expected: str) -> None:
    with pytest.raises(KnowledgeFileError, match=expected):
        parse_knowledge(content, name="x.yaml")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeFileError, match="cannot read"):
        load_knowledge_file(tmp_path / "nope.yaml")


def test_yes_no_on_off_are_words_not_booleans() -> None:
    # YAML 1.1 reads `on:` as the key True: a curator dating a verification got "Keys should
    # be strings". Only true/false are booleans here, as in YAML 1.2.
    text = SEED_FILE.read_text(encoding="utf-8")
    at = text.index("verification:")
    text = text[:at] + text[at:].replace("by: BBC", "by: BBC\n              on: 2023-05-23", 1)
    kb = parse_knowledge(text)
    (verified,) = [c for c in kb.claims.values() if c.verification is not None]
    assert verified.verification is not None and verified.verification.on == date(2023, 5, 23)
    assert parse_knowledge(dump_knowledge(kb)).claims == kb.claims
