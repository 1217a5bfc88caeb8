"""One table says how every status is shown: answers, charts, ClaimReview and the README agree."""

from __future__ import annotations

from pathlib import Path

from knowledge.answers import STATUS_BADGE
from knowledge.charts import COLOURS
from knowledge.claimreview import RATING
from knowledge.models import Status
from knowledge.statuses import STATUS_INFO, badge

ROOT = Path(__file__).resolve().parents[2]


def test_every_status_has_an_emoji_a_word_a_meaning_and_a_colour() -> None:
    assert set(STATUS_INFO) == set(Status)
    for status in Status:
        info = STATUS_INFO[status]
        assert info.emoji and info.meaning and info.colour.startswith("#")
        assert STATUS_BADGE[status] == badge(status) == f"{info.emoji} {status.value}"
        assert COLOURS[status] == info.colour
    assert len({info.colour for info in STATUS_INFO.values()}) == len(Status)  # tellable apart


def test_every_verdict_has_a_claimreview_rating_and_only_verdicts_do() -> None:
    assert set(RATING) == set(Status) - {Status.UNVERIFIED}
    assert RATING[Status.FALSE] < RATING[Status.DISPUTED] < RATING[Status.CONFIRMED]


def test_the_readme_explains_every_status_as_the_bot_does() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for status, info in STATUS_INFO.items():
        assert f"| {badge(status)} | {info.meaning} |" in readme, f"README's status table lacks {status.value}"
