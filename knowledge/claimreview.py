"""Export verdicts as schema.org ClaimReview JSON-LD, the format fact-checking tools read.

One ClaimReview per claim that has a verdict (any status but `unverified`): the claim
is the `itemReviewed` (a schema.org Claim whose `author` is the party and whose
`appearance` is where it was reported), the status is `reviewRating.alternateName`.
"""

from __future__ import annotations

from typing import Any

from .base import KnowledgeBase
from .models import Meta, Source, Status
from .statuses import STATUS_INFO

# schema.org ratings are numeric (the common 1 = false … 5 = true scale, in the status
# table); the textual verdict goes in alternateName.
RATING: dict[Status, int] = {s: info.rating for s, info in STATUS_INFO.items() if info.rating is not None}


def _work(source: Source) -> dict[str, Any]:
    work: dict[str, Any] = {
        "@type": "CreativeWork",
        "headline": source.title,
        "publisher": {"@type": "Organization", "name": source.publisher},
    }
    if source.url:
        work["url"] = source.url
    if source.published:
        work["datePublished"] = source.published.isoformat()
    return work


def claimreview_jsonld(kb: KnowledgeBase, metas: dict[tuple[str, str], Meta]) -> dict[str, Any]:
    reviews = []
    for claim in kb.claims.values():
        if claim.status not in RATING:
            continue  # no verdict to publish
        party = kb.parties.get(claim.party)
        meta = metas.get(("claim", claim.id))
        verifier = claim.verification.by if claim.verification else None
        review: dict[str, Any] = {
            "@type": "ClaimReview",
            "identifier": claim.id,
            "claimReviewed": claim.statement,
            "itemReviewed": {
                "@type": "Claim",
                "author": {"@type": "Organization", "name": party.name if party else claim.party},
                "appearance": [_work(kb.sources[s]) for s in claim.sources if s in kb.sources],
            },
            "reviewRating": {
                "@type": "Rating",
                "alternateName": claim.status.value,
                "ratingValue": RATING[claim.status],
                "bestRating": 5,
                "worstRating": 1,
                "ratingExplanation": STATUS_INFO[claim.status].meaning,
            },
            "about": kb.topics[kb.claim_topic[claim.id]].title,
        }
        if verifier:
            review["author"] = {"@type": "Organization", "name": verifier}
        if claim.disputed_by:
            review["itemReviewed"]["disputedBy"] = [kb.parties[p].name for p in claim.disputed_by if p in kb.parties]
        if meta:
            review["datePublished"] = meta.updated_at.date().isoformat()
        reviews.append(review)
    return {"@context": "https://schema.org", "@graph": reviews}
