from __future__ import annotations

import pytest
from pydantic import ValidationError

from knowledge.models import Claim, Event, Figure, Source, Status

CLAIM = {"id": "c1", "party": "ru-mod", "statement": "70 attackers were killed.", "sources": ["art"]}


def test_every_status_has_a_meaning() -> None:
    for status in Status:
        assert status.meaning and len(status.meaning) < 80


@pytest.mark.parametrize("status", ["confirmed", "false"])
def test_verdicts_need_a_verifier(status: str) -> None:
    with pytest.raises(ValidationError, match="verification"):
        Claim.model_validate({**CLAIM, "status": status})
    claim = Claim.model_validate({**CLAIM, "status": status, "verification": {"by": "BBC"}})
    assert claim.verification and claim.verification.by == "BBC"


def test_unknown_status_is_refused() -> None:
    with pytest.raises(ValidationError, match="'unverified', 'confirmed'"):
        Claim.model_validate({**CLAIM, "status": "probably"})


def test_a_claim_needs_a_source_and_a_statement() -> None:
    with pytest.raises(ValidationError, match="sources"):
        Claim.model_validate({**CLAIM, "sources": []})
    with pytest.raises(ValidationError, match="statement"):
        Claim.model_validate({**CLAIM, "statement": "   "})


def test_strict_figures_keep_the_partys_wording() -> None:
    with pytest.raises(ValidationError):
        Figure.model_validate({"value": "70", "unit": "attackers killed", "wording": "70"})  # not a number
    with pytest.raises(ValidationError, match="wording 'dozens' is not an exact number"):
        Figure.model_validate({"value": 24, "unit": "attackers killed", "wording": "dozens"})
    figure = Figure.model_validate({"unit": "attackers killed", "wording": "dozens"})
    assert (figure.value, figure.bound, figure.wording) == (None, None, "dozens")


def test_disputed_by_is_data_and_a_party_cannot_dispute_itself() -> None:
    claim = Claim.model_validate({**CLAIM, "party": "russia", "status": "disputed", "disputed_by": ["kyiv"]})
    assert claim.disputed_by == ["kyiv"]
    with pytest.raises(ValidationError, match="dispute its own"):
        Claim.model_validate({**CLAIM, "disputed_by": ["ru-mod"]})


@pytest.mark.parametrize("url", ["ftp://x.org/a", "example.org/article", "https://", "http://exa mple.org"])
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="http"):
        Source.model_validate({"id": "s", "publisher": "P", "title": "T", "url": url})


def test_a_source_must_be_locatable() -> None:
    with pytest.raises(ValidationError, match="url or a document"):
        Source.model_validate({"id": "s", "publisher": "P", "title": "T"})


def test_ids_are_slugs_and_unknown_fields_are_errors() -> None:
    with pytest.raises(ValidationError, match="string_pattern_mismatch|should match"):
        Claim.model_validate({**CLAIM, "id": "Has Spaces"})
    with pytest.raises(ValidationError, match="extra"):
        Claim.model_validate({**CLAIM, "satus": "confirmed"})


def test_event_dates_in_order() -> None:
    from datetime import date

    with pytest.raises(ValidationError, match="before"):
        Event.model_validate({"id": "e", "title": "E", "date": date(2023, 5, 22), "end_date": date(2023, 5, 1)})
