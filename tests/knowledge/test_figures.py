"""Figures as said: a party's quantity is shown in its own words, with a number only where
they gave one ("dozens" never becomes 24, "over 70" never becomes 70)."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

import pytest
from pydantic import ValidationError

from knowledge.answers import Answer
from knowledge.knowledge_file import KnowledgeFileError, dump_knowledge, load_knowledge_file, parse_knowledge
from knowledge.models import STORED_RECORD, Figure
from knowledge.service import ClaimService
from knowledge.storage import Store
from knowledge.text import render_text

from .conftest import COMMUNITY, SEED_FILE, FakeClock

SEED_TEXT = SEED_FILE.read_text(encoding="utf-8")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
SPELLED = {"one": "1", "two": "2", "three": "3", "five": "5"}


def _numbers(text: str) -> set[str]:
    found = {n.replace(",", "") for n in NUMBER.findall(text)}
    return found | {digit for word, digit in SPELLED.items() if re.search(rf"\b{word}\b", text, re.IGNORECASE)}


def _casualties(service: ClaimService) -> Answer:
    answer = service.ask(COMMUNITY, "how many casualties?")
    assert answer.topic and answer.topic.id == "belgorod-casualties"
    return answer


def test_the_seed_answer_shows_no_number_the_article_did_not_give(service: ClaimService) -> None:
    answer = _casualties(service)
    text = render_text(answer)
    as_json = json.dumps(answer.to_json(), ensure_ascii=False)
    assert "24" not in text and "24" not in as_json
    article = SEED_FILE.with_name("belgorod-incursion.txt").read_text(encoding="utf-8")
    for claim in answer.claims:
        assert claim.figure is not None
        label = claim.figure.label()
        # Every number in a label is in the party's words or the statement, and in the article.
        said = _numbers(claim.figure.wording + " " + claim.statement)
        assert _numbers(label) <= said, (label, said)
        assert _numbers(label) <= _numbers(article)
        assert f"figure: {label}" in text
    figures = {c.party_id: c.figure for c in answer.claims}
    assert figures["ru-mod"] is not None and figures["ru-mod"].bound is None  # "dozens": words only
    assert figures["ru-mod"].label() == "\u201cdozens\u201d (attackers killed) \u2014 no exact number given"
    assert "figure: 1 civilian killed (said: \u201cone civilian fatality\u201d)" in text
    mod = next(c for c in answer.to_json()["claims"] if c["party_id"] == "ru-mod")
    assert mod["figure"] == {"wording": "dozens", "unit": "attackers killed", "unit_one": "attacker killed",
                             "label": "\u201cdozens\u201d (attackers killed) \u2014 no exact number given"}


@pytest.mark.parametrize(
    ("fields", "label"),
    [
        ({"value": 1, "wording": "one civilian fatality"}, "1 civilian killed (said: \u201cone civilian fatality\u201d)"),
        ({"value": 2, "wording": "2"}, "2 civilians killed"),
        ({"value": 0, "wording": "no civilians"}, "0 civilians killed (said: \u201cno civilians\u201d)"),
        ({"at_least": 1, "wording": "at least one"}, "at least 1 civilian killed (said: \u201cat least one\u201d)"),
        ({"more_than": 70, "wording": "over 70"}, "more than 70 civilians killed (said: \u201cover 70\u201d)"),
        ({"at_most": 50, "wording": "up to 50"}, "at most 50 civilians killed (said: \u201cup to 50\u201d)"),
        ({"fewer_than": 10, "wording": "fewer than 10"}, "fewer than 10 civilians killed"),
        ({"between": [18000, 20000], "wording": "18,000 to 20,000"}, "18,000 to 20,000 civilians killed"),
        ({"wording": "several"}, "\u201cseveral\u201d (civilians killed) \u2014 no exact number given"),
    ],
)
def test_labels_agree_in_number_and_keep_the_bound(fields: dict[str, Any], label: str) -> None:
    figure = Figure.model_validate({"unit": "civilians killed", "unit_one": "civilian killed", **fields})
    assert figure.label() == label


def test_without_a_singular_one_is_not_shown_with_a_plural() -> None:
    figure = Figure.model_validate({"value": 1, "unit": "civilians killed", "wording": "one civilian"})
    assert figure.label() == "civilians killed: 1 (said: \u201cone civilian\u201d)"
    assert "1 civilians" not in figure.label()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"value": 24, "wording": "dozens"}, "figure.value: wording 'dozens' is not an exact number: use at_least"),
        ({"value": 70, "wording": "over 70"}, "figure.value: wording 'over 70' is not an exact number: use more_than"),
        ({"value": 9, "wording": "up to 9"}, "figure.value: wording 'up to 9' is not an exact number: use at_most"),
        ({"value": 70, "at_least": 70, "wording": "70"}, "figure.at_least: give one of value, at_least"),
        ({"between": [5, 3], "wording": "3 to 5"}, "figure.between: must be two numbers, low then high"),
        ({"more_than": "70", "wording": "over 70"}, "figure.more_than: must be a number"),
    ],
)
def test_a_figure_that_says_more_than_the_party_is_refused_where_it_is(fields: dict[str, Any], message: str) -> None:
    figure = "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in fields.items()) + ", unit: attackers killed}"
    line = "figure: {wording: dozens, unit: attackers killed, unit_one: attacker killed}"
    assert line in SEED_TEXT
    text = SEED_TEXT.replace(line, f"figure: {figure}", 1)
    with pytest.raises(KnowledgeFileError) as info:
        parse_knowledge(text, name="claims.yaml")
    (problem,) = [str(p) for p in info.value.problems]
    assert problem.startswith("claims.yaml:")
    assert f"events[0].topics[0].claims[1].{message}" in problem
    lineno = int(problem.split(":")[1])
    assert text.splitlines()[lineno - 1].strip().startswith("figure:")


def test_format_2_needs_the_partys_wording() -> None:
    text = SEED_TEXT.replace("{wording: one civilian fatality, value: 1,", "{value: 1,", 1)
    with pytest.raises(KnowledgeFileError, match=r"claims\[2\]\.figure\.wording: required field is missing"):
        parse_knowledge(text, name="claims.yaml")


def test_a_format_1_file_still_loads_and_is_shown_honestly() -> None:
    old = (SEED_TEXT.replace("claimbot: 2", "claimbot: 1", 1)
           .replace("{wording: 70 attackers were killed, value: 70, unit: attackers killed, unit_one: attacker killed}",
                    "{value: 70, unit: attackers killed}", 1))
    kb = parse_knowledge(old, name="old.yaml")
    figure = kb.claims["russia-70-attackers-killed"].figure
    assert figure is not None and figure.wording == "70" and figure.label() == "70 attackers killed"
    # An old file's vague figure is not guessed at: the curator is told what to write.
    vague = old.replace("{wording: dozens, unit: attackers killed, unit_one: attacker killed}",
                        "{value: 24, unit: attackers killed, wording: dozens}", 1)
    with pytest.raises(KnowledgeFileError, match=r"claims\[1\]\.figure\.value: wording 'dozens' is not an exact"):
        parse_knowledge(vague, name="old.yaml")


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({"value": 24, "unit": "attackers killed", "wording": "dozens"},
         {"wording": "dozens", "unit": "attackers killed"}),
        ({"value": 70, "unit": "attackers killed", "wording": "over 70"},
         {"wording": "over 70", "unit": "attackers killed", "more_than": 70}),
        ({"value": 1000, "unit": "people", "wording": "more than 1,000"},
         {"wording": "more than 1,000", "unit": "people", "more_than": 1000}),
        ({"value": 80, "unit": "people", "wording": "over 70"}, {"wording": "over 70", "unit": "people"}),
        ({"value": 70, "unit": "attackers killed"}, {"wording": "70", "unit": "attackers killed", "value": 70}),
        ({"value": 70, "unit": "attackers killed", "wording": "70"},
         {"wording": "70", "unit": "attackers killed", "value": 70}),
    ],
)
def test_a_figure_stored_before_bounds_reads_back_honestly(stored: dict[str, Any], expected: dict[str, Any]) -> None:
    figure = Figure.model_validate_json(json.dumps(stored), context=STORED_RECORD)
    assert figure.model_dump(exclude_none=True) == expected
    # Outside the stored-record reader the old shape is not upgraded: new input says what was said.
    if "wording" not in stored or figure.bound != "value":
        with pytest.raises(ValidationError):
            Figure.model_validate_json(json.dumps(stored))


def test_an_old_database_record_is_served_without_the_invented_number(
        service: ClaimService, db_url: str, clock: FakeClock) -> None:
    raw = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    # As the seed was stored before figures had bounds: "dozens" kept as 24.
    raw.execute("UPDATE records SET body = json_set(body, '$.figure', json(?)) WHERE community = ? AND id = ?",
                (json.dumps({"value": 24, "unit": "attackers killed", "wording": "dozens"}), COMMUNITY,
                 "mod-dozens-killed"))
    raw.commit()
    raw.close()
    fresh = ClaimService(Store(db_url, clock=clock), seed_files=[SEED_FILE])
    try:
        answer = _casualties(fresh)
        assert not fresh.quarantined(COMMUNITY)
        assert "24" not in render_text(answer) and "24" not in json.dumps(answer.to_json())
        assert "\u201cdozens\u201d (attackers killed) \u2014 no exact number given" in render_text(answer)
    finally:
        fresh.close()


def test_export_then_import_keeps_every_figure_field() -> None:
    seed_kb = load_knowledge_file(SEED_FILE)  # not the shared fixture: it is changed below
    text = dump_knowledge(seed_kb)
    assert text.startswith("claimbot: 2\n")
    again = parse_knowledge(text, name="export.yaml")
    assert {cid: c.figure for cid, c in again.claims.items()} == {cid: c.figure for cid, c in seed_kb.claims.items()}
    bounds = Figure.model_validate({"wording": "between 1,000 and 1,100", "unit": "people", "between": [1000, 1100]})
    claim = next(c for c in seed_kb.claims.values() if c.figure is not None)
    seed_kb.claims[claim.id] = claim.model_copy(update={"figure": bounds})
    round_trip = parse_knowledge(dump_knowledge(seed_kb), name="export.yaml")
    assert round_trip.claims[claim.id].figure == bounds
