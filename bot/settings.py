"""The bot's settings: the shared ones plus what only a Discord front end needs."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, field_validator

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
