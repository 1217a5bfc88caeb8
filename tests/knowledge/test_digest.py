from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from knowledge.curation import ClaimForm, Curator
from knowledge.digest import DigestConfig, DigestError, Schedule, build_digest, load_config, save_config
from knowledge.service import ClaimService

from .conftest import COMMUNITY, FakeClock


@pytest.mark.parametrize(("args", "message"), [
    (("daily", "25:00", "UTC"), "not a time of day"),
    (("daily", "nine", "UTC"), "HH:MM"),
    (("daily", "09:00", "Mars/Olympus"), "unknown time zone 'Mars/Olympus'"),
    (("weekly", "09:00", "UTC"), "weekly digest needs a day"),
    (("hourly", "09:00", "UTC"), "daily or weekly"),
])
def test_bad_schedules_say_what_to_fix(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(DigestError, match=message):
        Schedule.parse(*args)


def test_daily_slots_follow_the_local_clock_across_dst() -> None:
    kyiv = Schedule.parse("daily", "09:00", "Europe/Kyiv")
    # Kyiv moves from UTC+2 to UTC+3 on 29 March 2026.
    assert kyiv.latest_slot(datetime(2026, 3, 28, 12, 0, tzinfo=UTC)) == datetime(2026, 3, 28, 7, 0, tzinfo=UTC)
    assert kyiv.latest_slot(datetime(2026, 3, 29, 6, 30, tzinfo=UTC)) == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
    # Before today's slot: yesterday's, across midnight.
    assert kyiv.latest_slot(datetime(2026, 3, 29, 5, 59, tzinfo=UTC)) == datetime(2026, 3, 28, 7, 0, tzinfo=UTC)


def test_weekly_slots() -> None:
    monday = Schedule.parse("weekly", "18:30", "UTC", "Monday")
    wednesday = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert monday.latest_slot(wednesday) == datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
    assert monday.describe() == "every Monday at 18:30 (UTC)"


def test_due_once_per_slot_and_a_missed_slot_once() -> None:
    schedule = Schedule.parse("daily", "09:00", "UTC")
    created = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    config = DigestConfig("g", "c", schedule, True, created, None)
    assert config.due_slot(created + timedelta(minutes=30)) is None  # 08:30: not yet
    slot = config.due_slot(datetime(2026, 11, 20, 9, 0, 30, tzinfo=UTC))
    assert slot == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    config.last_slot = slot
    assert config.due_slot(datetime(2026, 11, 20, 9, 5, tzinfo=UTC)) is None  # already posted
    # Offline for three days: only the latest slot is due, once.
    assert config.due_slot(datetime(2026, 11, 23, 10, 0, tzinfo=UTC)) == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_changed_schedule_waits_for_its_next_slot(service: ClaimService, clock: FakeClock) -> None:
    # 2026-01-01 12:00 UTC: a daily 18:00 digest; it posts at 18:00.
    save_config(service, COMMUNITY, "c1", Schedule.parse("daily", "18:00", "UTC"), True)
    clock.advance(hours=6, minutes=1)
    config = load_config(service, COMMUNITY)
    assert config is not None and (slot := config.due_slot(clock.now)) is not None
    assert service.store.claim_digest_slot(COMMUNITY, slot, None, clock.now)
    # Next day at noon a moderator moves it to 09:00: this morning's 09:00 was never
    # missed, so nothing is due until tomorrow's.
    clock.advance(hours=18)
    save_config(service, COMMUNITY, "c1", Schedule.parse("daily", "09:00", "UTC"), True)
    config = load_config(service, COMMUNITY)
    assert config is not None and config.due_slot(clock.now) is None
    assert config.due_slot(datetime(2026, 1, 3, 9, 0, 5, tzinfo=UTC)) == datetime(2026, 1, 3, 9, 0, tzinfo=UTC)
    # Another channel is not another schedule: tomorrow's slot stays due.
    clock.advance(hours=1)
    save_config(service, COMMUNITY, "c2", Schedule.parse("daily", "09:00", "UTC"), False)
    config = load_config(service, COMMUNITY)
    assert config is not None and config.channel == "c2" and not config.post_when_empty
    assert config.due_slot(datetime(2026, 1, 3, 9, 0, 5, tzinfo=UTC)) == datetime(2026, 1, 3, 9, 0, tzinfo=UTC)


def test_the_next_digest_starts_where_the_last_one_ended(service: ClaimService, clock: FakeClock) -> None:
    save_config(service, COMMUNITY, "c1", Schedule.parse("daily", "09:00", "UTC"), True)
    config = load_config(service, COMMUNITY)
    assert config is not None
    assert config.window_start(clock.now) == clock.now - timedelta(days=7)  # a first digest: the past week
    # A digest posted on demand at 15:00 ...
    clock.advance(hours=3)
    assert service.store.cover_digest(COMMUNITY, clock.now, None)
    assert not service.store.cover_digest(COMMUNITY, clock.now, None)  # someone else's view is stale
    config = load_config(service, COMMUNITY)
    assert config is not None and config.window_start(clock.now) == datetime(2026, 1, 1, 15, 0, tzinfo=UTC)
    # ... and tomorrow's scheduled one, sent late at 09:02, covers up to when it went out.
    sent = datetime(2026, 1, 2, 9, 2, tzinfo=UTC)
    assert service.store.claim_digest_slot(COMMUNITY, datetime(2026, 1, 2, 9, 0, tzinfo=UTC), None, sent)
    config = load_config(service, COMMUNITY)
    assert config is not None and config.window_start(sent) == sent


def test_the_digest_lists_what_changed_in_its_window(service: ClaimService, clock: FakeClock) -> None:
    start = clock.now
    clock.advance(hours=1)
    curator = Curator(service)
    curator.add_claim(COMMUNITY, ClaimForm("belgorod-casualties", "Kyiv", "No Ukrainian units took part.",
                                           "https://example.org/k"), "mod")
    curator.set_status(COMMUNITY, "bbc-fsb-building-confirmed", "disputed", "mod", verified_by="Reuters")
    service.ask(COMMUNITY, "how many casualties")
    service.ask(COMMUNITY, "how many dead")
    service.ask(COMMUNITY, "who won the match")
    clock.advance(hours=1)
    digest = build_digest(service, COMMUNITY, start, clock.now)
    assert [c.statement for c in digest.new_claims] == ["No Ukrainian units took part."]
    (change,) = digest.status_changes
    assert (change.before, change.after, change.verified_by) == ("confirmed", "disputed", "Reuters")
    assert digest.most_asked == [("How many people were killed or injured in the Belgorod raid?", 2)]
    assert [g.example for g in digest.unanswered] == ["who won the match"]
    assert digest.active_topics[0] == "belgorod-casualties"
    # The seed import happened before the window: it is not "new".
    assert build_digest(service, COMMUNITY, clock.now, clock.now + timedelta(hours=1)).empty
