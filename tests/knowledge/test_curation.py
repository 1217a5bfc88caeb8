from __future__ import annotations

from datetime import timedelta

import pytest

from knowledge.answers import Answer, TopicRef
from knowledge.curation import ClaimForm, CurationError, Curator, Linked
from knowledge.i18n import ENGLISH
from knowledge.knowledge_file import parse_knowledge
from knowledge.models import Status, Topic
from knowledge.service import ClaimService
from knowledge.storage import ConflictError

from .conftest import COMMUNITY, SEED_FILE, FakeClock

FORM = ClaimForm(topic_id="belgorod-casualties", party="Ukrainian officials (Kyiv)",
                 statement="No Ukrainian soldiers took part.", source_url="https://example.org/kyiv",
                 figure="0 Ukrainian soldiers involved")


def test_add_claim_reuses_known_parties_and_creates_sources(service: ClaimService) -> None:
    curator = Curator(service)
    claim = curator.add_claim(COMMUNITY, FORM, actor="mod-1")
    kb = service.knowledge(COMMUNITY)
    assert claim.party == "ukraine-officials"  # matched by name, no duplicate party
    assert kb.sources[claim.sources[0]].url == "https://example.org/kyiv"
    assert claim.figure and claim.figure.value == 0 and claim.figure.unit == "Ukrainian soldiers involved"
    answer = service.ask(COMMUNITY, "how many casualties")
    assert "No Ukrainian soldiers took part." in [c.statement for c in answer.claims]
    # A new party by alias or new name
    second = curator.add_claim(COMMUNITY, ClaimForm(topic_id="belgorod-casualties", party="Kyiv",
                                                    statement="Another.", source_url="https://example.org/kyiv"),
                               actor="mod-1")
    assert second.party == "ukraine-officials" and second.sources == claim.sources


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"party": "  "}, "party: say who"),
        ({"statement": ""}, "statement: write what"),
        ({"statement": "x" * 1200}, "1,200 characters"),
        ({"source_url": "not a url"}, r"url: must be a full http\(s\) URL"),
        ({"source_url": ""}, "source: give the URL"),
        ({"figure": "lots of people"}, "figure: write a number"),
        ({"topic_id": "nope"}, "no topic `nope`"),
    ],
)
def test_bad_forms_are_refused_and_nothing_is_saved(service: ClaimService, change: dict[str, str],
                                                    message: str) -> None:
    before = service.export(COMMUNITY)
    form = ClaimForm(**{**FORM.__dict__, **change})
    with pytest.raises(CurationError, match=message):
        Curator(service).add_claim(COMMUNITY, form, actor="mod")
    assert service.export(COMMUNITY) == before


def test_status_change_needs_a_verifier_for_verdicts_and_is_in_history(service: ClaimService) -> None:
    curator = Curator(service)
    with pytest.raises(CurationError, match="verified_by"):
        curator.set_status(COMMUNITY, "gladkov-one-civilian-killed", "confirmed", "mod")
    with pytest.raises(CurationError, match="unknown status 'sure'"):
        curator.set_status(COMMUNITY, "gladkov-one-civilian-killed", "sure", "mod")
    change = curator.set_status(COMMUNITY, "gladkov-one-civilian-killed", "confirmed", "mod-7", verified_by="Reuters")
    assert change.summary == "status unverified → confirmed (by Reuters)" and change.topic_id == "belgorod-casualties"
    claim = service.knowledge(COMMUNITY).claims["gladkov-one-civilian-killed"]
    assert claim.status is Status.CONFIRMED and claim.verification and claim.verification.by == "Reuters"
    lines = curator.history(COMMUNITY, "gladkov-one-civilian-killed")
    assert "mod-7 changed claim gladkov-one-civilian-killed (v2)" in lines[0]
    assert "status: unverified → confirmed" in lines[0]


def test_a_stale_edit_is_a_conflict(service: ClaimService) -> None:
    curator = Curator(service)
    loaded = service.store.get(COMMUNITY, "claim", "gladkov-one-civilian-killed")
    assert loaded is not None
    curator.edit_claim(COMMUNITY, loaded.id, "mod-1", expected_version=loaded.meta.version, note="first")
    with pytest.raises(ConflictError, match="changed by mod-1"):
        curator.edit_claim(COMMUNITY, loaded.id, "mod-2", expected_version=loaded.meta.version, note="second")


def test_remove_and_restore(service: ClaimService) -> None:
    curator = Curator(service)
    curator.remove_claim(COMMUNITY, "russia-70-attackers-killed", "mod")
    assert "russia-70-attackers-killed" not in service.knowledge(COMMUNITY).claims
    assert [cid for cid, _ in curator.removed_choices(COMMUNITY)] == ["russia-70-attackers-killed"]
    curator.restore_claim(COMMUNITY, "russia-70-attackers-killed", "mod")
    assert "russia-70-attackers-killed" in service.knowledge(COMMUNITY).claims


def test_gaps_group_similar_questions_most_asked_first(service: ClaimService, clock: FakeClock) -> None:
    for q in ["who won the match", "what is the capital of peru", "What is the capital of Peru?",
              "capital of peru", "who won the match?"]:
        service.ask(COMMUNITY, q)
        clock.advance(minutes=1)
    service.ask(COMMUNITY, "what about the weather")
    gaps = Curator(service).gaps(COMMUNITY, since=clock.now - timedelta(days=30))
    assert [(g.count, g.example) for g in gaps][:2] == [(3, "capital of peru"), (2, "who won the match?")]
    assert Curator(service).gaps("someone-else", since=clock.now - timedelta(days=30)) == []


def test_claim_choices_are_fuzzy_and_bounded(service: ClaimService) -> None:
    choices = Curator(service).claim_choices(COMMUNITY, "gladkov civilian")
    assert choices[0][0] == "gladkov-one-civilian-killed" and len(choices) <= 25


def test_unanswered_questions_expire_after_the_retention(service: ClaimService, clock: FakeClock) -> None:
    service.ask(COMMUNITY, "who won the match")
    clock.advance(days=89)
    assert service.forget_old_questions(clock.now) == 0
    clock.advance(days=2)
    assert service.forget_old_questions(clock.now) == 1
    assert Curator(service).gaps(COMMUNITY, since=clock.now - timedelta(days=365)) == []


def test_auto_answer_keeps_chat_out_of_the_gaps(service: ClaimService, clock: FakeClock) -> None:
    # In an auto-answer channel most messages are talk, not questions to the bot: nobody was
    # told their words were noted, so nothing that got no answer is kept.
    for message in ["good morning everyone", "my phone number is 555-0123 call me", "who won the match"]:
        assert service.auto_answer(COMMUNITY, message, min_confidence=0.5, channel="c1") is None
    # A member who is also unsure of the answer, below the channel's bar: no answer, nothing kept.
    assert service.auto_answer(COMMUNITY, "how many casualties were there", min_confidence=1.01) is None
    assert service.questions(COMMUNITY) == []
    # A question the bot does answer, surely, is answered and counted, as any answered question is.
    answer = service.auto_answer(COMMUNITY, "how many casualties were there", min_confidence=0.5, channel="c1")
    assert answer is not None and answer.topic is not None and answer.topic.id == "belgorod-casualties"
    asked = service.questions(COMMUNITY)
    assert [(q.question, q.answered, q.channel) for q in asked] == [("how many casualties were there", True, "c1")]
    # The same chat asked of the bot directly is a question, and a gap when unanswered.
    service.ask(COMMUNITY, "who won the match")
    assert Curator(service).gaps(COMMUNITY, since=clock.now - timedelta(days=1))[0].example == "who won the match"


def test_history_shows_the_number_that_changed_in_a_figure(service: ClaimService) -> None:
    # The figure's wording, unit and notes run long: the line names what changed within it.
    text = SEED_FILE.read_text(encoding="utf-8")
    line = next(li for li in text.splitlines() if "value: 70, unit: attackers killed" in li)
    changed = text.replace(line, line.replace("value: 70", "value: 75"), 1)
    service.import_knowledge(COMMUNITY, parse_knowledge(changed, name="changed.yaml"), "mod-2")
    (entry,) = Curator(service).history(COMMUNITY, "russia-70-attackers-killed")[:1]
    assert "    figure.value: 70 → 75" in entry.splitlines()
    assert "wording" not in entry  # unchanged parts of the figure are not repeated


def test_a_mistyped_id_is_answered_with_the_nearest(service: ClaimService) -> None:
    curator = Curator(service)
    with pytest.raises(CurationError, match="no topic `belgorod-casualty`; did you mean `belgorod-casualties`"):
        curator.link_question(COMMUNITY, "how bad was it", "belgorod-casualty", "mod")
    with pytest.raises(CurationError, match="no claim `gladkov-one-civilian-kiled`; did you mean `gladkov-one-civilian"):
        curator.set_status(COMMUNITY, "gladkov-one-civilian-kiled", "disputed", "mod")
    with pytest.raises(CurationError, match="no topic `zzz`; pick one from the list"):  # nothing near: no guess
        curator.link_question(COMMUNITY, "how bad was it", "zzz", "mod")


def test_a_question_leads_to_one_topic(service: ClaimService) -> None:
    curator = Curator(service)
    assert curator.link_question(COMMUNITY, "zebra quantum marmalade", "belgorod-casualties", "mod").instead is None
    before = service.knowledge(COMMUNITY).topics["belgorod-raid-outcome"]
    with pytest.raises(CurationError, match="`belgorod-casualties` has already learnt that question"):
        curator.link_question(COMMUNITY, "Zebra quantum marmalade", "belgorod-raid-outcome", "mod")
    assert service.knowledge(COMMUNITY).topics["belgorod-raid-outcome"] == before
    answer = service.ask(COMMUNITY, "zebra quantum marmalade", record=False)
    assert answer.topic is not None and answer.topic.id == "belgorod-casualties"  # the first link still holds


def test_a_link_that_does_not_take_says_what_members_get_instead() -> None:
    topic = Topic(id="riverton-deaths", title="How many died in Riverton?")
    rival = TopicRef(id="riverton-missing", title="How many are missing in Riverton?", event_id="e", event_title="E")
    offered = Answer(question="q", decision="suggest", confidence=0.4, suggestions=[rival])
    said = Linked(topic, "how many in riverton", offered, has_claims=True).say(ENGLISH)
    assert "offered a choice instead" in said and "How many are missing in Riverton?" in said
    answered = Answer(question="q", decision="answer", confidence=0.9, topic=rival)
    assert "still answered with \u201cHow many are missing" in Linked(topic, "q", answered).say(ENGLISH)
    assert "no claims to show" in Linked(topic, "q", offered, has_claims=False).say(ENGLISH)
    nothing = Answer(question="q", decision="none", confidence=0.1)
    assert "not answered with it yet" in Linked(topic, "q", nothing).say(ENGLISH)


def test_history_follows_a_change_into_a_translation(service: ClaimService) -> None:
    curator = Curator(service)
    curator.translate_claim(COMMUNITY, "russia-70-attackers-killed", "uk", "mod", statement="Було вбито 70 нападників.",
                            figure_wording="70 нападників було вбито", figure_unit="убитих нападників")
    curator.translate_claim(COMMUNITY, "russia-70-attackers-killed", "uk", "mod", statement="Було вбито 70 нападників.",
                            figure_wording="75 нападників", figure_unit="убитих нападників")
    (latest,) = curator.history(COMMUNITY, "russia-70-attackers-killed")[:1]
    assert "    translations.uk.figure.wording: 70 нападників було вбито → 75 нападників" in latest.splitlines()
