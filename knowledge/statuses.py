"""Everything claimbot says about a verification status, in one table.

Answers, digests, charts and the ClaimReview export all read this table, so a status
can never be shown with one meaning in Discord and another in an export, and a new
status cannot be added without saying how each of them shows it (a test checks).
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import ENGLISH, N_, Speech
from .models import Status


@dataclass(frozen=True, slots=True)
class StatusInfo:
    emoji: str  # never alone: the word goes with it (screen readers, colour-blind readers, plain text)
    word: str  # the status as readers see it, translated ("confirmed", "підтверджено")
    meaning: str  # one line, for people who don't know the vocabulary
    colour: str  # chart colour, from the colour-blind-safe Okabe–Ito palette
    # schema.org ClaimReview rating on the common 1 (false) … 5 (true) scale; None: no
    # verdict to publish (an unverified claim is not reviewed).
    rating: int | None


STATUS_INFO: dict[Status, StatusInfo] = {
    Status.UNVERIFIED: StatusInfo("❔", N_("unverified"), N_("asserted by a party, not independently checked"),
                                  "#999999", None),
    Status.CONFIRMED: StatusInfo("✅", N_("confirmed"), N_("independently verified as true by a named verifier"),
                                 "#009E73", 5),
    Status.DISPUTED: StatusInfo("⚖️", N_("disputed"), N_("contradicted by another party; not settled"),
                                "#E69F00", 3),
    Status.FALSE: StatusInfo("❌", N_("false"), N_("independently shown to be false by a named verifier"),
                             "#D55E00", 1),
    Status.RETRACTED: StatusInfo("↩️", N_("retracted"), N_("withdrawn by the party that made it"),
                                 "#56B4E9", 2),
}


def badge(status: Status, speech: Speech = ENGLISH) -> str:
    """Emoji and word: "✅ confirmed", "✅ підтверджено"."""
    info = STATUS_INFO[status]
    return f"{info.emoji} {speech.tr(info.word)}"


def meaning(status: Status, speech: Speech = ENGLISH) -> str:
    return speech.tr(STATUS_INFO[status].meaning)
