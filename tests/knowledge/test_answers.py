from __future__ import annotations

import pytest

from knowledge.answers import QuestionError
from knowledge.models import Claim, Status, Topic, Verification
from knowledge.service import ClaimService
from knowledge.store import Write, open_store

from .conftest import COMMUNITY, FakeClock


def test_casualties_shows_every_partys_version_side_by_side(service: ClaimService) -> None:
    answer = service.ask(COMMUNITY, "how many casualties?")
    assert answer.answered and answer.topic and answer.topic.id == "belgorod-casualties"
    parties = [v.party_id for v in answer.versions]
    # The contested "attackers killed" figures first and next to each other, then the governor's.
    assert parties == ["russia", "ru-mod", "gladkov"]
    for claim in answer.claims:
        assert claim.status is Status.UNVERIFIED and claim.badge == "❔ unverified"
        assert claim.sources and claim.sources[0].document == "seeds/belgorod-incursion.txt"
    figures = {v.party_id: v.claims[0].figure for v in answer.versions}
    assert figures["russia"].value == 70 and figures["ru-mod"].wording == "dozens"  # type: ignore[union-attr]
    assert answer.as_of is not None


@pytest.mark.parametrize(
    "question",
    [
        "how many were killed",
        "what's the death toll in belgorod",
        "any fatalities?",
        "how many dead",
        "how many wounded in the raid",
        "casualtes in belgorad??",
        "hey guys quick question, i saw something on telegram and was wondering how many people died in that belgorod raid thing, anyone know?",
    ],
)
def test_synonyms_typos_and_chatty_questions_find_casualties(service: ClaimService, question: str) -> None:
    answer = service.ask(COMMUNITY, question)
    assert answer.topic and answer.topic.id == "belgorod-casualties", answer.decision


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("was an FSB building hit?", "belgorod-fsb-building"),
        ("who were the attackers", "belgorod-attackers-identity"),
        ("did the US support the raid", "belgorod-us-position"),
        ("has russia captured bakhmut", "bakhmut-capture"),
    ],
)
def test_other_topics(service: ClaimService, question: str, topic: str) -> None:
    answer = service.ask(COMMUNITY, question)
    assert answer.answered and answer.topic and answer.topic.id == topic


@pytest.mark.parametrize(
    "question",
    [
        "what's the weather like in new york",
        "who won the champions league final",
        "hi how are you",
        "how many casualties were there at the battle of stalingrad",
        "latest posts",
        "how do i reverse a list in python",
    ],
)
def test_out_of_scope_gets_an_honest_no_answer_and_is_recorded(service: ClaimService, question: str) -> None:
    answer = service.ask(COMMUNITY, question, channel="42")
    assert answer.decision == "none" and not answer.answered and answer.claims == []
    assert answer.message and "No sourced claims" in answer.message
    (asked,) = service.store.questions(COMMUNITY, answered=False)
    assert asked.question == question and asked.channel == "42" and asked.topic_id is None


@pytest.mark.parametrize(
    ("question", "reason"),
    [("", "empty"), ("   \n ", "empty"), ("x" * 2001, "2,001 characters"), ("\x1b[31m\x07\u200b", "empty"),
     ("abc\x00def", "binary"), ("caf\udcff", "binary"), ("caf\ud800", "binary")],
)
def test_bad_questions_get_a_clear_message_and_record_nothing(service: ClaimService, question: str, reason: str) -> None:
    with pytest.raises(QuestionError, match=reason):
        service.ask(COMMUNITY, question)
    assert service.store.questions(COMMUNITY) == []


def test_control_and_invisible_characters_are_removed_from_questions(service: ClaimService) -> None:
    # A terminal escape or a zero-width space never reaches the matcher, the moderators'
    # list of questions or the answer shown back.
    answer = service.ask(COMMUNITY, "\x1b[31mhow\u200b many\x07 casualties\u202e?\x1b[0m")
    assert answer.question == "how many casualties?" and answer.answered
    assert [q.question for q in service.store.questions(COMMUNITY)] == ["how many casualties?"]


def test_a_moderators_change_is_answered_at_once(service: ClaimService, clock: FakeClock) -> None:
    service.ask(COMMUNITY, "how many casualties")  # builds the matcher
    clock.advance(days=1)
    stored = service.store.get(COMMUNITY, "claim", "gladkov-one-civilian-killed")
    assert stored is not None
    confirmed = stored.record.model_copy(update={"status": Status.CONFIRMED, "verification": Verification(by="Reuters")})
    service.write(COMMUNITY, [Write("claim", stored.id, "update", confirmed, stored.parent, stored.meta.version)], "mod")
    answer = service.ask(COMMUNITY, "how many casualties")
    gladkov = next(c for c in answer.claims if c.id == stored.id)
    assert gladkov.status is Status.CONFIRMED and gladkov.verified_by == "Reuters"
    assert answer.as_of == clock.now


def test_a_new_topic_written_by_another_process_becomes_answerable(
    service: ClaimService, store_url: str, clock: FakeClock
) -> None:
    assert service.ask(COMMUNITY, "was the power station in shebekino shelled").decision == "none"
    other_process = open_store(store_url, clock=clock)
    topic = Topic(id="shebekino-power-station", title="Was the power station in Shebekino shelled?")
    claim = Claim(id="gladkov-shebekino", party="gladkov", statement="The Shebekino power station was shelled.",
                  sources=["belgorod-article"])
    other_process.write(COMMUNITY, [
        Write("topic", topic.id, "create", topic, "belgorod-incursion-2023"),
        Write("claim", claim.id, "create", claim, topic.id),
    ], "mod-elsewhere")
    other_process.close()
    answer = service.ask(COMMUNITY, "was the power station in shebekino shelled")
    assert answer.answered and answer.topic and answer.topic.id == topic.id
    # … and removing it takes it away again.
    service.write(COMMUNITY, [Write("topic", topic.id, "delete", expected_version=1)], "mod")
    assert service.ask(COMMUNITY, "was the power station in shebekino shelled").topic is None


def test_picking_a_suggestion_gives_the_full_answer(service: ClaimService) -> None:
    picked = service.answer_topic(COMMUNITY, "belgorod-fsb-building")
    assert picked and picked.answered and picked.claims[0].verified_by == "BBC"
    assert service.answer_topic(COMMUNITY, "no-such-topic") is None


def test_communities_answer_from_their_own_base(service: ClaimService) -> None:
    # A new community has no claims of its own: it answers from the seed base it follows,
    # and says so; once it unfollows it, it has nothing to answer from.
    answer = service.ask("999", "how many casualties")
    assert answer.answered and answer.base == "belgorod-incursion" and answer.topic is not None
    assert answer.topic.key == "belgorod-incursion/" + answer.topic.id
    assert service.ask(COMMUNITY, "how many casualties").base is None  # its own copy
    service.unfollow("999", "belgorod-incursion")
    assert service.ask("999", "how many casualties").decision == "none"
