"""Shared claim bases (issue 12): published once, followed live by many communities.

Runs on SQLite and on PostgreSQL (the `store` fixture)."""

from __future__ import annotations

import pytest

from knowledge.curation import ClaimForm, CurationError, Curator
from knowledge.i18n import ENGLISH
from knowledge.service import BaseError, ClaimService
from knowledge.store import BaseNameTakenError, ClaimStore, open_store
from knowledge.text import render_text

from .conftest import COMMUNITY, SEED_FILE, FakeClock

SEED_BASE = "belgorod-incursion"
QUESTION = "how many casualties?"


@pytest.fixture
def shared(store: ClaimStore) -> ClaimService:
    """A service whose COMMUNITY curates its own copy of the seed, as its moderators would."""
    service = ClaimService(store, seed_files=[SEED_FILE])
    service.ensure_seeded(COMMUNITY)
    return service


def test_a_new_community_follows_the_seed_base_and_gets_no_copy(shared: ClaimService, store: ClaimStore) -> None:
    assert shared.set_up("222") is True
    assert shared.set_up("222") is False  # once
    assert [b.name for b in shared.followed_bases("222")] == [SEED_BASE]
    kb, _metas, seq = store.snapshot("222")
    assert (kb.topics, seq) == ({}, 0)  # not a row of claims was written for it
    answer = shared.ask("222", QUESTION)
    assert answer.answered and answer.base == SEED_BASE
    assert {c.id for c in answer.claims} == {c.id for c in shared.ask(COMMUNITY, QUESTION).claims}


def test_a_question_before_set_up_is_answered_too(shared: ClaimService) -> None:
    # A server's first message can race its "guild available" event: asking sets it up.
    assert shared.ask("333", QUESTION).base == SEED_BASE


def test_a_community_with_claims_of_its_own_follows_nothing_it_did_not_choose(shared: ClaimService) -> None:
    assert shared.set_up(COMMUNITY) is True
    assert shared.followed_bases(COMMUNITY) == []
    assert shared.ask(COMMUNITY, QUESTION).base is None


def test_followers_share_one_index_of_the_base(shared: ClaimService) -> None:
    shared.set_up("a")
    shared.set_up("b")
    a, b = shared.sources("a"), shared.sources("b")
    assert a[1].matcher is not None and a[1].matcher is b[1].matcher  # one index in memory, not one per server
    assert a[0].matcher is None and b[0].matcher is None  # and no index for their empty own bases


def test_a_publishers_change_is_answered_by_its_followers_at_once(shared: ClaimService) -> None:
    shared.publish(COMMUNITY, "belgorod-fc", "mod")
    shared.set_up("f")
    shared.unfollow("f", SEED_BASE)
    shared.follow("f", "belgorod-fc")
    shared.ask("f", QUESTION)  # loaded before the change
    Curator(shared).set_status(COMMUNITY, "gladkov-one-civilian-killed", "confirmed", "mod", verified_by="Reuters")
    answer = shared.ask("f", QUESTION)
    claim = next(c for c in answer.claims if c.id == "gladkov-one-civilian-killed")
    assert answer.base == "belgorod-fc" and claim.verified_by == "Reuters"
    # Withdrawn: the follower no longer answers from it, but still sees that it follows it.
    shared.withdraw(COMMUNITY)
    assert not shared.ask("f", QUESTION).answered
    assert [(b.name, b.withdrawn) for b in shared.followed_bases("f")] == [("belgorod-fc", True)]
    # The name stays the publisher's: nobody else can take it over its followers.
    shared.ensure_seeded("other")
    with pytest.raises(BaseNameTakenError):
        shared.publish("other", "belgorod-fc", "someone")
    shared.publish(COMMUNITY, "belgorod-fc", "mod")  # the publisher resumes it
    assert shared.ask("f", QUESTION).base == "belgorod-fc"


def test_a_fork_is_the_communitys_own_copy_and_stops_following(shared: ClaimService) -> None:
    shared.set_up("f")
    plan = shared.fork("f", SEED_BASE, "mod-f")
    assert len(plan.writes) == len(shared.knowledge(COMMUNITY).claims) + len(shared.knowledge(COMMUNITY).topics) \
        + len(shared.knowledge(COMMUNITY).events) + len(shared.knowledge(COMMUNITY).parties) \
        + len(shared.knowledge(COMMUNITY).sources)
    assert shared.followed_bases("f") == []
    assert shared.history("f", record_id="gladkov-one-civilian-killed")[0].actor == "mod-f"
    Curator(shared).set_status("f", "gladkov-one-civilian-killed", "false", "mod-f", verified_by="AFP")
    assert shared.ask("f", QUESTION).base is None
    # The copy is the fork's own: the seed base and its other followers are unchanged.
    shared.set_up("g")
    seed_claim = next(c for c in shared.ask("g", QUESTION).claims if c.id == "gladkov-one-civilian-killed")
    assert seed_claim.verified_by != "AFP"


def test_a_fork_that_would_overwrite_the_communitys_records_changes_nothing(shared: ClaimService) -> None:
    shared.follow(COMMUNITY, SEED_BASE)
    before = shared.export(COMMUNITY)
    with pytest.raises(BaseError, match="already has 51 records with the same ids"):
        shared.fork(COMMUNITY, SEED_BASE, "mod")
    assert shared.export(COMMUNITY) == before
    assert [b.name for b in shared.followed_bases(COMMUNITY)] == [SEED_BASE]


def test_followed_records_cannot_be_curated_and_the_error_says_how(shared: ClaimService) -> None:
    shared.set_up("f")
    with pytest.raises(CurationError, match="belongs to the claim base 'belgorod-incursion'.*/base fork"):
        Curator(shared).set_status("f", "gladkov-one-civilian-killed", "confirmed", "mod", verified_by="x")
    assert shared.history("f") == []


@pytest.mark.parametrize(("action", "name", "message"), [
    ("follow", "[x](https://evil.example)", "not a claim base name"),
    ("follow", "<@&123>", "not a claim base name"),
    ("follow", "no-such-base", "No published claim base is called 'no-such-base'"),
    ("follow", "belgorod", "Did you mean: belgorod-incursion"),
    ("unfollow", "never-followed", "does not follow"),
    ("fork", "never-followed", "does not follow"),
    ("publish", "x" * 40, "not a claim base name"),
])
def test_bad_base_requests_change_nothing(shared: ClaimService, action: str, name: str, message: str) -> None:
    shared.set_up("f")
    before = (shared.followed_bases("f"), shared.published_bases(), shared.history("f"))
    with pytest.raises(BaseError, match=message) as raised:
        if action == "publish":
            shared.publish(COMMUNITY, name, "mod")
        elif action == "follow":
            shared.follow("f", name)
        elif action == "unfollow":
            shared.unfollow("f", name)
        else:
            shared.fork("f", name, "mod")
    assert "evil" not in str(raised.value) and "<@&" not in str(raised.value)
    assert (shared.followed_bases("f"), shared.published_bases(), shared.history("f")) == before


def test_own_base_cannot_be_followed_nor_published_empty(shared: ClaimService) -> None:
    shared.publish(COMMUNITY, "belgorod-fc", "mod")
    with pytest.raises(BaseError, match="this server's own claim base"):
        shared.follow(COMMUNITY, "belgorod-fc")
    shared.set_up("empty")
    with pytest.raises(BaseError, match="no claims of its own"):
        shared.publish("empty", "empty-base", "mod")


def test_loaded_communities_are_bounded_and_reloaded_on_demand(store: ClaimStore) -> None:
    service = ClaimService(store, seed_files=[SEED_FILE], max_loaded=3)
    for n in range(8):
        assert service.ask(f"server-{n}", QUESTION).base == SEED_BASE
    assert service.loaded_communities() <= 3
    # An evicted community comes back as it was: its follows and its own claims.
    assert service.cached_knowledge("server-0") is None
    assert service.ask("server-0", QUESTION).base == SEED_BASE


def test_a_second_process_sees_a_follow_and_the_publishers_changes(shared: ClaimService, store_url: str,
                                                                   clock: FakeClock) -> None:
    other = ClaimService(open_store(store_url, clock=clock), seed_files=[SEED_FILE])
    try:
        shared.publish(COMMUNITY, "belgorod-fc", "mod")
        assert other.ask("f", QUESTION).base == SEED_BASE
        shared.follow("f", "belgorod-fc")
        shared.unfollow("f", SEED_BASE)
        assert other.ask("f", QUESTION).base == "belgorod-fc"  # the other process's next question
        Curator(shared).set_status(COMMUNITY, "gladkov-one-civilian-killed", "confirmed", "mod",
                                   verified_by="Reuters")
        claim = next(c for c in other.ask("f", QUESTION).claims if c.id == "gladkov-one-civilian-killed")
        assert claim.verified_by == "Reuters"
    finally:
        other.store.close()


def test_a_followers_digest_tells_the_publishers_changes(shared: ClaimService, clock: FakeClock) -> None:
    from datetime import timedelta

    from knowledge.digest import build_digest, chart_rows

    shared.publish(COMMUNITY, "belgorod-fc", "mod")
    shared.set_up("f")
    shared.follow("f", "belgorod-fc")
    shared.unfollow("f", SEED_BASE)
    start = clock.now
    clock.advance(timedelta(minutes=5))
    Curator(shared).set_status(COMMUNITY, "gladkov-one-civilian-killed", "confirmed", "mod", verified_by="Reuters")
    shared.ask("f", QUESTION)
    shared.store.flush_questions()
    clock.advance(timedelta(minutes=5))
    digest = build_digest(shared, "f", start, clock.now)
    assert [(c.after, c.verified_by) for c in digest.status_changes] == [("confirmed", "Reuters")]
    assert digest.most_asked and digest.active_topics[0].startswith("belgorod-fc/")
    title, claims = chart_rows(shared, "f", digest.active_topics)[0]
    assert title == digest.most_asked[0][0]
    assert any(c.verification is not None and c.verification.by == "Reuters" for c in claims)


def test_an_unanswered_question_is_written_before_the_member_is_told_it_was_noted(
        shared: ClaimService, store_url: str, clock: FakeClock) -> None:
    # Another process (a moderator's `claimbot gaps`) sees it at once: a bot process killed
    # right after replying loses none of the questions it said it noted.
    answer = shared.ask(COMMUNITY, "who won the football match yesterday")
    assert not answer.answered and "noted for the moderators" in (answer.message or "")
    other = open_store(store_url, clock=clock)
    try:
        assert [q.question for q in other.questions(COMMUNITY, answered=False)] == [
            "who won the football match yesterday"]
    finally:
        other.close()


def test_the_publishers_change_finds_the_answers_its_followers_posted(shared: ClaimService) -> None:
    from datetime import timedelta

    from knowledge.refresh import followers_to_refresh

    shared.publish(COMMUNITY, "belgorod-fc", "mod")
    for follower in ("f1", "f2"):
        shared.set_up(follower)
        shared.unfollow(follower, SEED_BASE)
        shared.follow(follower, "belgorod-fc")
        answer = shared.ask(follower, QUESTION)
        assert answer.topic is not None and answer.base == "belgorod-fc"
        shared.remember_posted_answer(follower, f"{follower}-channel/1", answer.topic.key, "en")
    topic = "belgorod-casualties"
    Curator(shared).set_status(COMMUNITY, "gladkov-one-civilian-killed", "confirmed", "mod", verified_by="Reuters")
    found = followers_to_refresh(shared, COMMUNITY, topic, "status confirmed", within=timedelta(days=2))
    assert {f: [ref for ref, _ in r.refs] for f, r in found.items()} == {"f1": ["f1-channel/1"],
                                                                        "f2": ["f2-channel/1"]}
    for refresh in found.values():
        claim = next(c for c in refresh.answers["en"].claims if c.id == "gladkov-one-civilian-killed")
        assert claim.verified_by == "Reuters" and refresh.answers["en"].base == "belgorod-fc"
    shared.unfollow("f1", "belgorod-fc")
    shared.unfollow("f2", "belgorod-fc")
    assert followers_to_refresh(shared, COMMUNITY, topic, "x", within=timedelta(days=2)) == {}


def test_a_question_linked_in_the_own_base_outranks_a_followed_base(shared: ClaimService) -> None:
    # A follower curates a crisis of its own beside the seed it follows; its moderators link a
    # question the seed answers confidently to their own topic: from then on it is theirs.
    shared.set_up("444")
    curator = Curator(shared)
    event = curator.add_event("444", "Riverton flood", "2025-04-02", "mod")
    topic = curator.add_topic("444", event.id, "How many people died in the Riverton flood?", "mod")
    assert shared.ask("444", QUESTION, record=False).base == SEED_BASE
    empty = curator.link_question("444", QUESTION, topic.id, "mod")
    # Honest about what members get: the topic has no claims yet, so nothing is answered from it.
    assert empty.instead is not None and "has no claims to show" in empty.say(ENGLISH)
    curator.add_claim("444", ClaimForm(topic_id=topic.id, party="Riverton council", statement="Twelve people died.",
                                       source_url="https://example.org/riverton"), "mod")
    answer = shared.ask("444", QUESTION, record=False)
    assert answer.answered and answer.base is None and answer.topic is not None and answer.topic.id == topic.id
    # The seed's topic is still offered beside it.
    assert "belgorod-casualties" in [ref.id for ref in answer.suggestions]
    # The link, said again, is refused as known; a fresh one says it is answered from now on.
    linked = curator.link_question("444", "death toll riverton", topic.id, "mod")
    assert linked.instead is None and "from now on" in linked.say(ENGLISH)


def test_a_related_topic_names_its_base_only_when_it_is_another(shared: ClaimService) -> None:
    # Answered from the seed, the seed's related topics need no label: the answer names its base.
    answer = shared.ask("555", QUESTION, record=False)
    assert answer.base == SEED_BASE and answer.suggestions
    assert f"[{SEED_BASE}]" not in render_text(answer).split("Related: ")[1]
    # Answered from the community's own claims, a related topic from the followed seed is labelled.
    curator = Curator(shared)
    event = curator.add_event("555", "Riverton flood", "2025-04-02", "mod")
    topic = curator.add_topic("555", event.id, "How many people died in the Riverton flood?", "mod")
    curator.add_claim("555", ClaimForm(topic_id=topic.id, party="Riverton council", statement="Twelve people died.",
                                       source_url="https://example.org/riverton"), "mod")
    curator.link_question("555", QUESTION, topic.id, "mod")
    mixed = shared.ask("555", QUESTION, record=False)
    assert mixed.base is None and f"[{SEED_BASE}]" in render_text(mixed).split("Related: ")[1]
