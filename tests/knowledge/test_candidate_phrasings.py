"""The claim base learns from its members: a "did you mean" pick becomes a candidate phrasing."""

from __future__ import annotations

from datetime import timedelta

from knowledge.answers import question_key
from knowledge.curation import Curator
from knowledge.service import ClaimService

from .conftest import COMMUNITY, FakeClock

QUESTION = "what about the folks who got hurt"


def _suggested(service: ClaimService) -> list[str]:
    answer = service.ask(COMMUNITY, QUESTION)
    assert answer.decision in ("suggest", "none")
    return [s.id for s in answer.suggestions]


def test_a_pick_is_a_candidate_until_a_moderator_accepts_it(service: ClaimService, clock: FakeClock) -> None:
    _suggested(service)
    curator = Curator(service)
    assert service.remember_pick(COMMUNITY, "belgorod-casualties", question_key(QUESTION))
    clock.advance(minutes=5)
    assert service.remember_pick(COMMUNITY, "belgorod-casualties", question_key(QUESTION))  # another member
    since = clock() - timedelta(days=30)
    (candidate,) = curator.candidates(COMMUNITY, since)
    assert (candidate.question, candidate.topic_id, candidate.picks) == (QUESTION, "belgorod-casualties", 2)
    # No trace of who asked or picked: the question's words, the topic, a count.
    assert not any(str(v).startswith("discord:") for v in vars(candidate).values())
    linked = curator.accept_candidate(COMMUNITY, "belgorod-casualties", candidate.key, "discord:1", since)
    assert QUESTION in linked.topic.aliases and linked.instead is None
    answer = service.ask(COMMUNITY, QUESTION, record=False)
    assert answer.answered and answer.topic is not None and answer.topic.id == "belgorod-casualties"
    assert curator.candidates(COMMUNITY, since) == []
    entry = service.history(COMMUNITY, kind="topic", record_id="belgorod-casualties")[-1]
    assert entry.actor == "discord:1"  # an ordinary, history-tracked change


def test_a_pick_for_an_unknown_question_or_topic_records_nothing(service: ClaimService, clock: FakeClock) -> None:
    _suggested(service)
    assert not service.remember_pick(COMMUNITY, "belgorod-casualties", question_key("never asked"))
    assert not service.remember_pick(COMMUNITY, "no-such-topic", question_key(QUESTION))
    clock.advance(days=2)  # a pick long after the question: the button outlived it
    assert not service.remember_pick(COMMUNITY, "belgorod-casualties", question_key(QUESTION))
    assert Curator(service).candidates(COMMUNITY, clock() - timedelta(days=30)) == []


def test_candidates_expire_with_the_questions(service: ClaimService, clock: FakeClock) -> None:
    _suggested(service)
    assert service.remember_pick(COMMUNITY, "belgorod-casualties", question_key(QUESTION))
    clock.advance(days=100)
    service.forget_old_questions()
    assert service.candidate_phrasings(COMMUNITY, since=clock() - timedelta(days=1000)) == []
