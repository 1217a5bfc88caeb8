"""Answers in the member's language: translations in the claim base, plurals, numbers, direction."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from claimbot.cli import main
from knowledge.answers import compose
from knowledge.i18n import ENGLISH, LANGUAGES, RLM, choose_language, speech
from knowledge.knowledge_file import load_knowledge_file
from knowledge.models import Claim, Figure, FigureTranslation
from knowledge.text import render_text

SEED = Path(__file__).resolve().parents[2] / "seeds" / "belgorod-incursion.claims.yaml"
ARTICLE = SEED.with_name("belgorod-incursion.txt")


def _claim(**extra: Any) -> Claim:
    return Claim.model_validate({"id": "c", "party": "p", "statement": "One civilian was killed.",
                                 "sources": ["s"], **extra})


def test_plural_forms_must_be_those_of_the_language() -> None:
    figure = {"wording": "one civilian", "value": 1, "unit": "civilians killed", "unit_one": "civilian killed"}
    with pytest.raises(ValidationError, match="missing few, many"):
        _claim(figure=figure, translations={"uk": {"statement": "Загинув один цивільний.",
                                                   "figure": {"unit": {"one": "цивільний", "other": "цивільних"}}}})
    with pytest.raises(ValidationError, match="few is not a plural form of de"):
        _claim(figure=figure, translations={"de": {"statement": "Ein Zivilist wurde getötet.",
                                                   "figure": {"unit": {"one": "Zivilist", "few": "Zivilisten",
                                                                       "other": "Zivilisten"}}}})
    with pytest.raises(ValidationError, match="not a language"):
        _claim(translations={"klingon!": {"statement": "x"}})
    with pytest.raises(ValidationError, match="no quote to translate"):
        _claim(translations={"fr": {"statement": "Un civil a été tué.", "quote": "« un civil »"}})


@pytest.mark.parametrize(("n", "form"), [(1, "one"), (3, "few"), (5, "many"), (21, "one"), (12, "many")])
def test_a_translated_unit_agrees_with_the_number(n: int, form: str) -> None:
    forms = {"one": "цивільний загинув", "few": "цивільні загинули", "many": "цивільних загинуло",
             "other": "цивільного загинуло"}
    figure = Figure(wording=str(n), value=n, unit="civilians killed")
    label = figure.label(speech("uk"), FigureTranslation(unit=forms))
    assert label == f"{n} {forms[form]}"


def test_without_the_forms_a_number_is_never_made_to_agree_wrongly() -> None:
    figure = Figure(wording="1", value=1, unit="civilians killed")  # no unit_one: "1 civilians" would be wrong
    assert figure.label() == "civilians killed: 1"
    assert figure.label(speech("uk"), FigureTranslation(unit="загиблі цивільні")) == "загиблі цивільні: 1"
    # Another language without a translation: the curator's English unit, never forced to agree.
    assert figure.label(speech("de")) == "civilians killed: 1"


def test_bounds_and_numbers_are_written_as_the_language_writes_them() -> None:
    figure = Figure(wording="more than 12,000", more_than=12000, unit="people displaced")
    assert figure.label() == "more than 12,000 people displaced"
    german = figure.label(speech("de"), FigureTranslation(unit="Vertriebene"))
    assert "12.000" in german and "12,000" in german  # their number, their words beside it
    vague = Figure(wording="dozens", unit="attackers killed")
    assert not re.search(r"\d", vague.label(speech("fr"), FigureTranslation(wording="des dizaines", unit="tués")))


def test_the_language_falls_back_to_english() -> None:
    assert choose_language("pt-BR", None, "uk") == "uk"
    assert choose_language("en-US") == "en" and choose_language(None) == "en"
    assert choose_language("es-419") == "es"
    assert speech("ar").rtl and not speech("uk").rtl


def test_an_answer_uses_translations_and_marks_what_is_not_translated() -> None:
    kb = load_knowledge_file(SEED)
    ukrainian = compose(kb, {}, "q", "belgorod-casualties", confidence=1.0, language="uk")
    assert ukrainian.topic is not None and ukrainian.topic.title == kb.topics["belgorod-casualties"].translations[
        "uk"].title
    translated = [c for c in ukrainian.claims if c.translated]
    assert translated and all(c.original is not None and c.original.language == "en" for c in translated)
    assert all(c.statement != c.original.statement for c in translated if c.original)
    # A claim the moderators have not translated is shown as written, and says so.
    gladkov = next(c for c in kb.claims_of("belgorod-casualties") if c.party == "gladkov")
    kb.put("claim", gladkov.model_copy(update={"translations": {}}), "belgorod-casualties")
    mixed = compose(kb, {}, "q", "belgorod-casualties", confidence=1.0, language="uk")
    assert mixed.untranslated
    shown = next(c for c in mixed.claims if c.id == gladkov.id)
    assert shown.statement == gladkov.statement and shown.language == "en" and not shown.translated
    assert speech("uk").tr("Some claims are shown in {language}: the moderators have not translated them yet.",
                           language="X").split("X")[0] in render_text(mixed, speech=speech("uk"))


def test_the_seed_never_shows_a_number_the_article_did_not_give() -> None:
    article = ARTICLE.read_text()
    words = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    # Numbers the article gives, in digits or as a word ("one civilian"): never "dozens" as 24.
    article_numbers = {n.replace(",", "") for n in re.findall(r"\d[\d,]*", article)}
    article_numbers |= {str(n) for n, word in enumerate(words) if re.search(rf"\b{word}\b", article, re.I)}
    kb = load_knowledge_file(SEED)
    for language in LANGUAGES:
        said = speech(language)
        for topic in kb.topics:
            for claim in compose(kb, {}, "q", topic, confidence=1.0, language=language).claims:
                label = claim.figure_label(said) or ""
                for number in re.findall(r"\d[\d\s.,\u00a0\u202f]*", label):
                    digits = re.sub(r"\D", "", number)
                    assert digits in article_numbers, f"{language}: {label!r} states {number!r}"


def test_arabic_lines_run_right_to_left() -> None:
    arabic = speech("ar")
    assert arabic.line("Russia (Moscow)\n70") == f"{RLM}Russia (Moscow)\n{RLM}70"
    assert ENGLISH.line("Russia") == "Russia"


def test_plurals_follow_each_language() -> None:
    uk = speech("uk")
    forms = {uk.plural("Updated {n} earlier answer in place.", "Updated {n} earlier answers in place.", n)
             for n in (1, 3, 5)}
    assert len(forms) == 3  # Ukrainian has three forms; English would give two


def test_claimbot_ask_answers_in_ukrainian(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMBOT_DATABASE_URL", f"sqlite:///{tmp_path}/claims.sqlite3")
    assert main(["ask", "--lang", "uk", "--json", "скільки загиблих?"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["lang"] == "uk" and answer["answered"]
    assert answer["topic"]["id"] == "belgorod-casualties"
    assert answer["topic"]["title"] == load_knowledge_file(SEED).topics["belgorod-casualties"].translations[
        "uk"].title
    assert any(c["translated"] and c["original"]["language"] == "en" for c in answer["claims"])
    figures = [c["figure"]["label"] for c in answer["claims"] if c["figure"]]
    assert figures and not any("said" in f for f in figures)
    # The text form too, and a language claimbot does not speak is refused in one line.
    assert main(["ask", "--lang", "uk", "скільки загиблих?"]) == 0
    assert speech("uk").tr("Claims as of {date}.", date="").split("{")[0][:5] in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["ask", "--lang", "xx", "hello"])
    assert "is not a language claimbot speaks" in capsys.readouterr().err
