"""Property: an answer from any accepted claim base renders within Discord's limits, every
claim on some page, and with no markup a claim's text could smuggle in."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given

from bot.render import answer_pages, message_batches
from knowledge.answers import compose
from knowledge.base import KnowledgeBase
from knowledge.models import Meta
from tests.fakediscord.limits import message_problems
from tests.knowledge.test_reader_properties import SETTINGS, claim_bases


@SETTINGS
@given(claim_bases())
def test_any_answer_fits_discord_and_shows_every_claim(kb: KnowledgeBase) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    metas = {("claim", cid): Meta(version=1, created_at=now, created_by="p", updated_at=now, updated_by="p")
             for cid in kb.claims}
    for topic_id in kb.topics:
        answer = compose(kb, metas, "q", topic_id, confidence=1.0)
        pages = answer_pages(answer)
        for page in pages:
            assert message_problems({"embeds": [page.to_dict()]}) == []
        for batch in message_batches(pages):
            assert message_problems({"embeds": [e.to_dict() for e in batch]}) == []
        shown = "\n".join(f.value or "" for page in pages for f in page.fields)
        for claim in answer.claims:
            assert claim.id in {c.id for c in answer.claims}
            # The statement's letters and digits all appear (markup is escaped, not removed).
            letters = "".join(ch for ch in claim.statement if ch.isalnum())
            assert letters in "".join(ch for ch in shown if ch.isalnum())
