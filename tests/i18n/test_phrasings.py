"""Questions in other languages find a topic through the moderators' translated phrasings."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.matching.phrasings import PhrasingIndex, fold
from knowledge.matching.types import TopicDocument


def doc(topic_id: str, translations: dict[str, tuple[str, ...]], event_id: str = "e") -> TopicDocument:
    return TopicDocument(topic_id=topic_id, event_id=event_id, event_title="E", event_date=date(2023, 5, 22),
                         title=topic_id, aliases=(), tags=(), parties=(), claims=(), event_terms=(),
                         translations=tuple(translations.items()))


@pytest.fixture
def index() -> PhrasingIndex:
    phrasings = PhrasingIndex()
    phrasings.build([
        doc("casualties", {"uk": ("Скільки людей загинуло?", "скільки загиблих"),
                           "ar": ("كم عدد القتلى في بيلغورود؟",), "fr": ("Combien de morts ?",)}),
        doc("weapons", {"uk": ("Чи використовували американську зброю?",), "fr": ("Des armes américaines ?",)}),
        doc("elsewhere", {"fr": ("Combien de blessés ?",)}, event_id="other"),
    ])
    return phrasings


def test_folding_keeps_every_script_and_drops_marks() -> None:
    assert fold("Combien de MORTS ?") == "combien de morts"
    assert fold("قُتِلَ") == "قتل"  # vowel marks are not part of the word
    assert fold("Скільки загиблих?!") == "скільки загиблих"
    assert fold("?!…") == ""


@pytest.mark.parametrize(("question", "topic"), [
    ("скільки загиблих?", "casualties"),
    ("скилькі загиблих", "casualties"),  # typos
    ("загиблих скільки", "casualties"),  # another word order
    ("كم عدد القتلى؟", "casualties"),  # part of a longer phrasing
    ("des armes americaines", "weapons"),
])
def test_near_verbatim_phrasings_find_their_topic(index: PhrasingIndex, question: str, topic: str) -> None:
    hit = index.match(question)
    assert hit is not None and hit.topic_id == topic


@pytest.mark.parametrize("question", ["combien", "що там у Бахмуті з водою", "how many casualties", ""])
def test_anything_looser_is_left_to_the_other_signals(index: PhrasingIndex, question: str) -> None:
    assert index.match(question) is None


def test_two_topics_asked_alike_are_not_guessed(index: PhrasingIndex) -> None:
    index.upsert(doc("injured", {"fr": ("Combien de morts et de blessés ?",)}))
    assert index.match("combien de morts et blessés") is not None
    index.upsert(doc("dead-again", {"fr": ("Combien de morts ?",)}))
    assert index.match("combien de morts ?") is None  # two topics, one phrasing: no clear lead


def test_an_event_limits_the_topics_and_changes_are_learnt(index: PhrasingIndex) -> None:
    assert index.match("combien de blessés", event_id="e") is None
    assert index.match("combien de blessés", event_id="other") is not None
    index.remove("elsewhere")
    assert index.match("combien de blessés") is None
    index.upsert(doc("casualties", {"de": ("Wie viele Tote?",)}))
    assert index.match("wie viele tote") is not None and index.match("combien de morts") is None
