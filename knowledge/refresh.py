"""Answers stay current: which posted answers to update after a change, and what to say.

The front end only knows how to edit its own messages; which of them show a topic that
just changed, the answer they should show now and the line saying what changed are the
same for any chat front end, so they are decided here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .answers import Answer, topic_key
from .i18n import Speech
from .service import ClaimService


@dataclass(frozen=True)
class Refresh:
    answers: dict[str, Answer]  # the topic's answer as it is now, in each language it was posted in
    refs: list[tuple[str, str]]  # (the front end's handle of a posted answer, its language)
    change: str  # what changed, for the top of each edited answer
    on: date

    def note(self, speech: Speech) -> str:
        """One line for the top of an edited answer."""
        return speech.tr("\U0001f504 Updated {date}: {change}", date=speech.date(self.on), change=self.change)


def what_changed(service: ClaimService, community: str, claim_id: str, summary: str) -> str:
    """"Russia's defence ministry: status unverified → confirmed (by BBC)"."""
    kb = service.knowledge(community)
    claim = kb.claims.get(claim_id)
    party = kb.parties.get(claim.party) if claim else None
    return f"{party.name}: {summary}" if party else summary


def answers_to_refresh(service: ClaimService, community: str, topic_id: str, change: str, *,
                       within: timedelta) -> Refresh | None:
    """The answers about `topic_id` posted within `within`, to be edited in place; None when
    there are none (or the topic is gone)."""
    refs = service.posted_answers(community, topic_id, within=within)
    return _refresh(service, community, topic_id, refs, change) if refs else None


def followers_to_refresh(service: ClaimService, community: str, topic_id: str, change: str, *,
                         within: timedelta) -> dict[str, Refresh]:
    """When `community` publishes its claims: the answers about `topic_id` that servers
    following it posted within `within`, per following community — their members see the
    publisher's change as the publisher's own members do."""
    base = service.own_base(community)
    if base is None or base.withdrawn:
        return {}
    key = topic_key(base.name, topic_id)
    posted: dict[str, list[tuple[str, str]]] = {}
    for follower, ref, language in service.store.posted_answers_anywhere(key, since=service.clock() - within):
        posted.setdefault(follower, []).append((ref, language))
    refreshes = {follower: _refresh(service, follower, key, refs, change) for follower, refs in posted.items()}
    return {follower: refresh for follower, refresh in refreshes.items() if refresh is not None}


def _refresh(service: ClaimService, community: str, key: str, refs: list[tuple[str, str]],
             change: str) -> Refresh | None:
    """The topic's answer now, in each language it was posted in; None when the community
    no longer has it (removed, or a base no longer followed): nothing to keep current."""
    answers: dict[str, Answer] = {}
    for language in dict.fromkeys(language for _, language in refs):
        answer = service.answer_topic(community, key, language=language)
        if answer is None:
            return None
        answers[language] = answer
    return Refresh(answers, refs, change, service.clock().date())
