"""The bot's settings: the shared ones plus what only a Discord front end needs."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, ValidationInfo, field_validator

from knowledge.settings import Settings

# A bot token is three base64url parts separated by dots (user id . timestamp . hmac).
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")


class BotSettings(Settings):
    discord_token: SecretStr | None = Field(None, description="The bot token from the Developer Portal.")
    dev_guild_id: int | None = Field(
        None, description="Sync slash commands to this server only (instant, for development)."
    )
    moderator_role: str | None = Field(
        None, description="Name or id of the role allowed to curate; without it, Manage Messages."
    )
    ask_cooldown_seconds: float = Field(10.0, ge=0, le=3600, description="Per-user pause between /ask uses.")
    auto_answer_min_confidence: float = Field(
        0.75, ge=0, le=1, description="Auto-answer channels reply only above this match confidence."
    )
    answer_update_days: int = Field(
        7, ge=0, le=90, description="Answers posted this recently are edited in place when their claims change.")
    shard_count: int | None = Field(
        None, ge=1, le=65536,
        description="Gateway shards of the whole bot, across every process (discord.py's AutoShardedBot); "
                    "unset: one process, shards as Discord recommends.")
    shard_ids: str | None = Field(
        None,
        description="The shards this process runs, e.g. 0-3 or 0,2,5 (needs CLAIMBOT_SHARD_COUNT); "
                    "unset: all of them. One process per shard range, all on one database.")

    @field_validator("shard_ids")
    @classmethod
    def _shard_range(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip():
            return None
        count = info.data.get("shard_count")
        if count is None:
            # Also when CLAIMBOT_SHARD_COUNT was given but invalid: its own error is reported first.
            if "shard_count" in info.data:
                raise ValueError("needs CLAIMBOT_SHARD_COUNT (the shards of the whole bot, across every process)")
            raise ValueError("needs a valid CLAIMBOT_SHARD_COUNT")
        return ",".join(map(str, parse_shard_ids(value, count)))

    @property
    def shard_id_list(self) -> list[int] | None:
        """The shards this process runs (sorted, no duplicates); None: all of them."""
        if self.shard_ids is None or self.shard_count is None:
            return None
        return parse_shard_ids(self.shard_ids, self.shard_count)

    @field_validator("discord_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not TOKEN_SHAPE.match(value.get_secret_value().strip()):
            # Never echo the value: a half-pasted token is still a secret.
            raise ValueError("does not look like a bot token (three dot-separated parts); copy it again from the "
                             "Developer Portal → Bot → Reset Token")
        return SecretStr(value.get_secret_value().strip())


def parse_shard_ids(text: str, count: int) -> list[int]:
    """`0-3` or `0,2,5` or `0-3,8`: the shard ids, sorted, each below `count`; ValueError with a one-line reason."""
    ids: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        low, dash, high = part.partition("-")
        if not (low.strip().isdigit() and (not dash or high.strip().isdigit())):
            raise ValueError(f"has {part!r}, which is not a shard id or a range: write e.g. 0-3 or 0,2,5")
        first, last = int(low), int(high) if dash else int(low)
        if last < first:
            raise ValueError(f"has the range {part!r}, which runs backwards: write it low-high, e.g. {last}-{first}")
        if last >= count:
            raise ValueError(f"names shard {last}, but with CLAIMBOT_SHARD_COUNT={count} the shard ids run from 0 "
                             f"to {count - 1}")
        ids.update(range(first, last + 1))
    return sorted(ids)
