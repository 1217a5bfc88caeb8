"""A local Discord stand-in (gateway + REST on loopback) for end-to-end bot tests."""

from .server import (
    APP_ID,
    BOT_USER_ID,
    DeadlineMiss,
    FakeDiscord,
    HeartbeatMiss,
    InteractionRecord,
    Recorded,
    snowflake,
)

__all__ = ["APP_ID", "BOT_USER_ID", "DeadlineMiss", "FakeDiscord", "HeartbeatMiss", "InteractionRecord", "Recorded",
           "snowflake"]
