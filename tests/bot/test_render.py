"""Answers always fit Discord's limits, and nothing is cut: plain unit tests, no network."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.render import (
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_PER_EMBED,
    TITLE_LIMIT,
    answer_pages,
    message_embed,
)
from bot.views import answer_view
from knowledge.answers import Answer, ClaimView, PartyVersion, SourceRef, TopicRef
from knowledge.i18n import ENGLISH
from knowledge.models import Status

SOURCE = SourceRef(id="s", publisher="Example News", title="An article", url="https://example.org/a")


def big_answer(parties: int, claims_per_party: int, statement_len: int) -> Answer:
    versions = []
    for p in range(parties):
        claims = [
            ClaimView(id=f"c{p}-{c}", party_id=f"p{p}", party=f"Party number {p} " + "x" * 300,
                      statement=f"STATEMENT-{p}-{c} " + ("word " * (statement_len // 5)), status=Status.DISPUTED,
                      sources=[SOURCE], disputed_by=["Someone else"])
            for c in range(claims_per_party)
        ]
        versions.append(PartyVersion(party_id=f"p{p}", party=claims[0].party, claims=claims))
    return Answer(question="q", decision="answer",
                  topic=TopicRef(id="t", title="T" * 400, event_id="e", event_title="Event"),
                  confidence=0.9, versions=versions, as_of=datetime(2026, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(("parties", "claims", "length"), [(3, 1, 100), (40, 1, 900), (5, 3, 1000), (30, 2, 3000)])
def test_every_page_fits_and_every_claim_appears(parties: int, claims: int, length: int) -> None:
    answer = big_answer(parties, claims, min(length, 1000))
    pages = answer_pages(answer)
    for embed in pages:
        assert len(embed) <= EMBED_TOTAL_LIMIT
        assert len(embed.fields) <= FIELDS_PER_EMBED
        assert len(embed.title or "") <= TITLE_LIMIT and len(embed.description or "") <= DESCRIPTION_LIMIT
        for field in embed.fields:
            assert len(field.name or "") <= FIELD_NAME_LIMIT and 0 < len(field.value or "") <= FIELD_VALUE_LIMIT
    text = " ".join(f.value or "" for e in pages for f in e.fields)
    for version in answer.versions:
        for claim in version.claims:
            # Never cut silently: every word of every statement is on some page.
            assert text.count(claim.statement.split()[0]) == 1
            assert " ".join(text.split()).count(" ".join(claim.statement.split())) == 1
    if len(pages) > 1:
        assert pages[0].footer.text and pages[0].footer.text.endswith(f"page 1/{len(pages)}")
        view = answer_view(answer, ENGLISH, 0, len(pages))
        ids = [item.custom_id for item in view.children]  # type: ignore[attr-defined]
        assert ids == ["cb:p:0:en:t", "cb:p:1:en:t"] and all(len(i) <= 100 for i in ids)


def test_status_is_spelt_out_not_only_coloured() -> None:
    page = answer_pages(big_answer(1, 1, 50))[0]
    assert "⚖️ disputed" in page.fields[0].value and "disputed by Someone else" in page.fields[0].value
    assert "[Example News](https://example.org/a)" in page.fields[0].value


def test_markdown_in_claims_is_inert() -> None:
    answer = big_answer(1, 1, 10)
    claim = answer.versions[0].claims[0].model_copy(update={"statement": "**bold** [link](https://evil.example)"})
    answer = answer.model_copy(update={"versions": [answer.versions[0].model_copy(update={"claims": [claim]})]})
    value = answer_pages(answer)[0].fields[0].value or ""
    # Escaped: no bold, and no masked link disguising where it points.
    assert "\\*\\*bold\\*\\*" in value and "\\[link\\](" in value


def test_a_source_can_never_forge_a_link() -> None:
    # As an older row or a careless path might hold it: a URL that closes its own link and
    # opens a fake "BBC Verify" one, and a publisher name that is itself a masked link.
    forged = SourceRef.model_construct(
        id="s", publisher="[BBC Verify](https://evil.example/phish)", title="t", document=None, published=None,
        url="https://example.org/a)[BBC Verify confirmed this](https://evil.example/phish")
    claim = ClaimView(id="c", party_id="p", party="P", statement="S.", status=Status.UNVERIFIED, sources=[forged])
    answer = Answer(question="q", decision="answer", topic=TopicRef(id="t", title="T", event_id="e", event_title="E"),
                    confidence=1.0, versions=[PartyVersion(party_id="p", party="P", claims=[claim])])
    value = answer_pages(answer)[0].fields[0].value
    source_line = next(line for line in value.splitlines() if line.startswith("Source: "))
    # Exactly one link: a label whose every bracket is escaped, and a target that runs to
    # the final ")" with nothing in it that could end it early or open another link.
    link = re.fullmatch(r"Source: \[((?:[^\[\]\\]|\\.)*)\]\(([^()\[\]<>\s]*)\)", source_line)
    assert link is not None, source_line
    assert link[1] == r"\[BBC Verify\](https://evil.example/phish)"
    assert link[2].startswith("https://example.org/a%29%5BBBC%20Verify")


def test_a_did_you_mean_cannot_forge_a_link_either() -> None:
    # A followed base's publisher writes the titles every follower's members are offered.
    forged = "[Official update](https://evil.example/x) **URGENT**"
    answer = Answer(question="q", decision="suggest", confidence=0.4, suggestions=[
        TopicRef(id="t", title=forged, event_id="e", event_title=forged, base="someone-elses-base")])
    field = message_embed(answer).fields[0]
    for shown in (field.name or "", field.value or ""):
        assert "[Official update](" not in shown and "**URGENT**" not in shown
        assert "\\[Official update\\](https://evil.example/x) \\*\\*URGENT\\*\\*" in shown
