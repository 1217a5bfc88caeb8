"""What the matcher reads about a topic, built from a claim base."""

from __future__ import annotations

from .base import KnowledgeBase
from .matching import TopicDocument


def topic_document(kb: KnowledgeBase, topic_id: str) -> TopicDocument:
    topic = kb.topics[topic_id]
    event = kb.event_of(topic_id)
    claims = kb.claims_of(topic_id)
    party_terms: list[str] = []
    for party_id in dict.fromkeys(c.party for c in claims):
        party = kb.parties.get(party_id)
        if party is not None:
            party_terms += [party.name, *party.aliases]
    claim_terms: list[str] = []
    for claim in claims:
        claim_terms.append(claim.statement)
        if claim.quote:
            claim_terms.append(claim.quote)
        if claim.figure:
            claim_terms += [claim.figure.unit, *([claim.figure.wording] if claim.figure.wording else [])]
    # Moderators' translations are more ways of asking: members find the topic in their language.
    translations = tuple((language, (t.title, *t.aliases)) for language, t in topic.translations.items())
    return TopicDocument(
        topic_id=topic.id,
        event_id=event.id,
        event_title=event.title,
        event_date=event.date,
        title=topic.title,
        aliases=tuple(topic.aliases),
        tags=tuple(topic.tags),
        parties=tuple(party_terms),
        claims=tuple(claim_terms),
        event_terms=tuple(t for t in (event.title, event.location, event.summary) if t),
        translations=translations,
    )


def topic_documents(kb: KnowledgeBase) -> list[TopicDocument]:
    return [topic_document(kb, tid) for tid in kb.topics]
