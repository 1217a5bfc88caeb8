"""The one clock. Every part of claimbot that needs "now" gets it from a Clock handed in
at start-up (the composition root builds one `SystemClock`), never from `datetime.now`:
tests pin a date with `ManualClock` and pass at any hour, in any time zone, across DST.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that says what time it is, timezone-aware, in UTC."""

    def __call__(self) -> datetime: ...


class SystemClock:
    """The wall clock, in UTC."""

    def __call__(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class ManualClock:
    """A clock that moves only when told to: for tests and simulations."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock's time must be timezone-aware")
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        self.now += delta if delta is not None else timedelta(**parts)
        return self.now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a clock's time must be timezone-aware")
        self.now = moment.astimezone(UTC)

    def __repr__(self) -> str:
        return f"ManualClock({self.now.isoformat()})"
