"""Property: whatever a claim base accepts, the store keeps exactly — and an answer built
from it can always be shown, in a terminal and within Discord's limits."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given

from knowledge.base import KnowledgeBase
from knowledge.clock import ManualClock
from knowledge.i18n import speech
from knowledge.knowledge_file import dump_knowledge, parse_knowledge
from knowledge.service import ClaimService
from knowledge.storage import Store
from knowledge.text import render_text

from .test_reader_properties import SETTINGS, claim_bases

COMMUNITY = "prop"


def fresh_service() -> ClaimService:
    # In memory: each generated claim base gets its own empty database, quickly.
    return ClaimService(Store("sqlite:///:memory:", clock=ManualClock(datetime(2026, 1, 1, tzinfo=UTC))))


def records(kb: KnowledgeBase) -> list[tuple[str, str, str | None, object]]:
    return list(kb.records())


@SETTINGS
@given(claim_bases())
def test_what_is_imported_is_what_is_stored_read_back_and_exported(kb: KnowledgeBase) -> None:
    service = fresh_service()
    try:
        service.import_knowledge(COMMUNITY, kb, actor="property")
        stored, _, _ = service.store.snapshot(COMMUNITY)
        assert records(stored) == records(kb)
        assert service.quarantined(COMMUNITY) == []
        exported = service.export(COMMUNITY)
        assert records(parse_knowledge(exported)) == records(kb)
        assert exported == dump_knowledge(kb)
        # Importing the export again changes nothing: no write, no history entry.
        seq = service.store.last_seq(COMMUNITY)
        assert service.import_knowledge(COMMUNITY, parse_knowledge(exported), actor="again").empty
        assert service.store.last_seq(COMMUNITY) == seq
    finally:
        service.close()


@SETTINGS
@given(claim_bases())
def test_every_topic_of_an_accepted_base_can_be_shown(kb: KnowledgeBase) -> None:
    service = fresh_service()
    try:
        service.import_knowledge(COMMUNITY, kb, actor="property")
        for topic_id in kb.topics:
            # In English, and in languages the base may hold translations for (or not).
            for language in ("en", "uk", "ar"):
                answer = service.answer_topic(COMMUNITY, topic_id, language=language)
                assert answer is not None
                text = render_text(answer, speech=speech(language))
                for claim in answer.claims:
                    # Every claim is shown, translated or as written (wrapped: compare word by word).
                    assert all(word in text for word in claim.statement.split())
                    assert claim.translated == (claim.original is not None)
    finally:
        service.close()
