"""Scheduled summaries: when a community's digest is due, and what goes in it.

Time always comes from the caller (an injectable clock), so schedules are tested
without waiting. Only the *latest* slot that fell due is ever posted: a bot that was
offline for three days posts one digest covering everything since the last one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import get_day_names

from .answers import topic_key
from .base import KnowledgeBase
from .curation import Curator, Gap
from .errors import ClaimbotError
from .history import field_changes
from .i18n import ENGLISH, LANGUAGES, N_, Speech
from .models import Claim
from .service import SEED_ACTOR, ClaimService, Source

FIRST_DIGEST_LOOKBACK = timedelta(days=7)  # what a first digest covers, when there was no earlier one
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def weekday_number(name: str) -> int | None:
    """Monday = 0 … Sunday = 6, for a day's name in any interface language ("monday",
    "понеділок", "lundi", "الاثنين"), wide or abbreviated; None for anything else."""
    wanted = name.strip().casefold()
    if wanted in WEEKDAYS:
        return WEEKDAYS.index(wanted)
    for language in LANGUAGES:
        for width in ("wide", "abbreviated"):
            for number, day in get_day_names(width, locale=language).items():
                if day.casefold().rstrip(".") == wanted.rstrip("."):
                    return int(number)
    return None


class DigestError(ClaimbotError, ValueError):
    """A schedule a moderator must correct; the message says how."""


@dataclass(frozen=True)
class Schedule:
    cadence: str  # "daily" | "weekly"
    at: time
    timezone: str
    weekday: int | None = None  # 0 = Monday; weekly only

    @classmethod
    def parse(cls, cadence: str, at: str, timezone: str, weekday: str | None = None) -> Schedule:
        if cadence not in ("daily", "weekly"):
            raise DigestError(N_("cadence: use daily or weekly"))
        try:
            hours, minutes = (int(p) for p in at.strip().split(":"))
            at_time = time(hours, minutes)
        except ValueError:
            raise DigestError(N_("time: '{at}' is not a time of day; write it as HH:MM, e.g. 09:00"), at=at) from None
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise DigestError(N_("timezone: unknown time zone '{timezone}'; use a name like Europe/Kyiv or UTC"),
                              timezone=timezone) from None
        day = None
        if cadence == "weekly":
            day = weekday_number(weekday or "")
            if day is None:
                raise DigestError(N_("weekday: a weekly digest needs a day, e.g. monday"))
        return cls(cadence, at_time, timezone, day)

    def latest_slot(self, now: datetime) -> datetime:
        """The most recent scheduled moment at or before `now` (UTC)."""
        zone = ZoneInfo(self.timezone)
        local = now.astimezone(zone)
        for back in range(0, 8):
            day = local.date() - timedelta(days=back)
            if self.cadence == "weekly" and day.weekday() != self.weekday:
                continue
            # A wall-clock time that a DST change skips or repeats resolves through
            # fold=0, i.e. the first occurrence: the post still happens once.
            slot = datetime.combine(day, self.at, tzinfo=zone).astimezone(UTC)
            if slot <= now:
                return slot
        raise AssertionError("a daily or weekly schedule always has a slot within 8 days")

    def describe(self, speech: Speech = ENGLISH) -> str:
        """"daily at 09:00 (Europe/Kyiv)", in `speech`'s language."""
        time_of_day = f"{self.at:%H:%M}"  # as the moderator set it: 24-hour clocks read the same everywhere
        if self.cadence == "daily":
            return speech.tr("daily at {time} ({timezone})", time=time_of_day, timezone=self.timezone)
        weekday = get_day_names("wide", locale=speech.language.replace("-", "_"))[self.weekday or 0]
        return speech.tr("every {weekday} at {time} ({timezone})", weekday=weekday, time=time_of_day,
                         timezone=self.timezone)


@dataclass
class DigestConfig:
    community: str
    channel: str
    schedule: Schedule
    post_when_empty: bool
    created_at: datetime
    last_slot: datetime | None
    covered_until: datetime | None = None  # the end of the last digest's window, however it was posted
    schedule_set_at: datetime | None = None  # when the cadence, time, zone or weekday last changed

    def due_slot(self, now: datetime) -> datetime | None:
        """The slot to post now, if one fell due since the last post and since the schedule was set."""
        slot = self.schedule.latest_slot(now)
        since = max(self.last_slot or self.created_at, self.schedule_set_at or self.created_at)
        return slot if slot > since else None

    def window_start(self, now: datetime) -> datetime:
        """Where the next digest starts: where the last one ended; a first digest looks a week back."""
        if self.covered_until is not None:
            return self.covered_until
        if self.last_slot is not None:
            return self.last_slot
        return max(self.created_at, now) - FIRST_DIGEST_LOOKBACK


def load_config(service: ClaimService, community: str) -> DigestConfig | None:
    row = service.store.digest(community)
    return _config(row) if row else None


def all_configs(service: ClaimService) -> list[DigestConfig]:
    return [_config(row) for row in service.store.digests()]


def _config(row: dict[str, object]) -> DigestConfig:
    hours, minutes = (int(p) for p in str(row["at_time"]).split(":"))
    weekday = row["weekday"]
    schedule = Schedule(str(row["cadence"]), time(hours, minutes), str(row["timezone"]),
                        int(weekday) if isinstance(weekday, int) else None)
    return DigestConfig(str(row["community"]), str(row["channel"]), schedule, bool(row["post_when_empty"]),
                        _moment(row["created_at"]) or FIRST_SEEN, _moment(row["last_slot"]),
                        _moment(row["covered_until"]), _moment(row["schedule_set_at"]))


FIRST_SEEN = datetime(2000, 1, 1, tzinfo=UTC)  # only for a row without created_at (none exist)


def _moment(value: object) -> datetime | None:
    return value if isinstance(value, datetime) else None


def save_config(service: ClaimService, community: str, channel: str, schedule: Schedule, post_when_empty: bool) -> None:
    service.store.set_digest(community, channel=channel, cadence=schedule.cadence,
                             at_time=f"{schedule.at:%H:%M}", timezone=schedule.timezone,
                             weekday=schedule.weekday, post_when_empty=post_when_empty)


def turn_off(service: ClaimService, community: str) -> bool:
    """Stop a community's digest; False when none was set up."""
    return service.store.delete_digest(community)


# --- the schedule, for any front end ---------------------------------------------------


def claim_due(service: ClaimService, now: datetime,
              serves: Callable[[str], bool] = lambda community: True) -> list[DigestConfig]:
    """The digests this process must post now, each slot already claimed.

    A slot is claimed (compare-and-set on the last posted slot) *before* posting: a
    restart, or a second process running the same schedule, sees it taken and never
    posts it again. A front end posts every config returned, and nothing else. `serves`
    says which communities are this process's to post for (its own shards' servers):
    another process claiming a server it does not hold could not speak its language."""
    due = []
    for config in all_configs(service):
        slot = config.due_slot(now)
        if slot is None or not serves(config.community):
            continue
        if service.store.claim_digest_slot(config.community, slot, config.last_slot, now):
            due.append(config)
    return due


def mark_covered(service: ClaimService, config: DigestConfig, until: datetime) -> bool:
    """After an unscheduled digest (`/digest now`): the next one starts at `until` instead
    of repeating it. False when another digest went out meanwhile."""
    return service.store.cover_digest(config.community, until, config.covered_until)


@dataclass(frozen=True)
class DigestContent:
    """What a digest post says, before any front end renders it."""

    digest: Digest
    chart: bytes | None  # PNG: claims per status for the most active topics

    @property
    def empty(self) -> bool:
        return self.digest.empty


def digest_content(service: ClaimService, config: DigestConfig, now: datetime,
                   speech: Speech = ENGLISH) -> DigestContent:
    """The next digest of `config` as of `now`: the same for the preview and the post."""
    from .charts import status_chart  # matplotlib: loaded only by processes that post digests

    digest = build_digest(service, config.community, config.window_start(now), now)
    chart = (None if digest.empty
             else status_chart(chart_rows(service, config.community, digest.active_topics), speech))
    return DigestContent(digest, chart)


# --- content ------------------------------------------------------------------------


@dataclass(frozen=True)
class NewClaim:
    topic: str
    party: str
    statement: str


@dataclass(frozen=True)
class StatusChange:
    topic: str
    party: str
    statement: str
    before: str
    after: str
    verified_by: str | None


@dataclass
class Digest:
    since: datetime
    until: datetime
    new_claims: list[NewClaim] = field(default_factory=list)
    status_changes: list[StatusChange] = field(default_factory=list)
    # Beyond LIST_LIMIT a digest says how many more there are instead of listing them:
    # a bulk import would otherwise flood the channel.
    more_new_claims: int = 0
    more_status_changes: int = 0
    most_asked: list[tuple[str, int]] = field(default_factory=list)  # (topic title, times)
    unanswered: list[Gap] = field(default_factory=list)
    active_topics: list[str] = field(default_factory=list)  # topic ids, most changed/asked first

    @property
    def empty(self) -> bool:
        return not (self.new_claims or self.status_changes or self.most_asked or self.unanswered)


LIST_LIMIT = 50  # new claims, and status changes, listed one by one in a digest


def build_digest(service: ClaimService, community: str, since: datetime, until: datetime, limit: int = 10) -> Digest:
    """What changed in [since, until): the same function makes the preview and the post.

    Changes come from the community's own claims and from the bases it follows (their
    publishers' changes are news to its members too); topics are named by key ("base/topic"
    for a followed base's, as questions are recorded)."""
    sources = service.sources(community)
    topics = topics_by_key(sources)
    digest = Digest(since, until)
    activity: Counter[str] = Counter()

    for source in sources:
        kb = source.kb

        def names(claim_body: dict[str, object], topic_id: str | None, kb: KnowledgeBase = kb) -> tuple[str, str]:
            party_id = str(claim_body.get("party"))
            party = kb.parties[party_id].name if party_id in kb.parties else party_id
            topic = kb.topics[topic_id].title if topic_id in kb.topics else (topic_id or "?")
            return topic, party

        for entry in service.history(source.community, kind="claim", since=since):
            # The seed claim base a new server starts from is not news.
            if entry.at >= until or entry.after is None or entry.actor == SEED_ACTOR:
                continue
            body, topic_id = entry.after["body"], entry.after.get("parent")
            topic, party = names(body, topic_id)
            key = topic_key(source.base, str(topic_id))
            if entry.action == "create":
                digest.new_claims.append(NewClaim(topic, party, str(body["statement"])))
                activity[key] += 1
            elif entry.action == "update":
                for name, old, new in field_changes(entry):
                    if name == "status":
                        verification = body.get("verification") or {}
                        by = verification.get("by") if isinstance(verification, dict) else None
                        digest.status_changes.append(StatusChange(topic, party, str(body["statement"]), str(old),
                                                                  str(new), by))
                        activity[key] += 1
    asked = Counter(q.topic_id for q in service.questions(community, since=since, answered=True)
                    if q.asked_at < until and q.topic_id in topics)
    digest.most_asked = [(title_of(topics, t), n) for t, n in asked.most_common(limit) if t is not None]
    activity.update({t: n for t, n in asked.items() if t is not None})
    digest.unanswered = [g for g in Curator(service).gaps(community, since, limit) if g.last_asked < until]
    digest.more_new_claims = max(0, len(digest.new_claims) - LIST_LIMIT)
    digest.more_status_changes = max(0, len(digest.status_changes) - LIST_LIMIT)
    digest.new_claims, digest.status_changes = digest.new_claims[:LIST_LIMIT], digest.status_changes[:LIST_LIMIT]
    digest.active_topics = [t for t, _ in activity.most_common(8) if t in topics]
    return digest


def title_of(topics: dict[str, tuple[KnowledgeBase, str]], key: str) -> str:
    kb, topic_id = topics[key]
    return kb.topics[topic_id].title


def topics_by_key(sources: list[Source]) -> dict[str, tuple[KnowledgeBase, str]]:
    """Every topic the sources hold, by the key the community names it with ("base/topic"
    for a followed base's): the claim base it is in, and its id there."""
    return {topic_key(s.base, t): (s.kb, t) for s in sources for t in s.kb.topics}


def chart_rows(service: ClaimService, community: str, keys: list[str]) -> list[tuple[str, list[Claim]]]:
    """(title, claims) of the topics named by key, from the community's own base or a followed one."""
    topics = topics_by_key(service.sources(community))
    return [(kb.topics[t].title, kb.claims_of(t)) for kb, t in (topics[k] for k in keys if k in topics)]
