"""Permission checks for moderator commands, as small named predicates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from knowledge.i18n import ENGLISH, Speech

T = TypeVar("T")


class NotModerator(app_commands.CheckFailure):
    def __init__(self, role: str | None) -> None:
        self.role = role
        super().__init__(self.say(ENGLISH))

    def say(self, speech: Speech) -> str:
        if self.role:
            return speech.tr("Only moderators can do this: it needs the **{role}** role or the Manage Messages "
                             "permission.", role=self.role)
        return speech.tr("Only moderators can do this: it needs the Manage Messages permission.")


def is_moderator(member: discord.Member | discord.User, permissions: discord.Permissions, role: str | None) -> bool:
    """`permissions` are the member's resolved permissions where the command was used."""
    if not isinstance(member, discord.Member):
        return False
    if permissions.manage_messages or permissions.administrator:
        return True
    return role is not None and any(r.name == role or str(r.id) == role for r in member.roles)


def moderator_only() -> Callable[[T], T]:
    """A runtime check behind `default_permissions`: a server that widened who sees the
    command is still safe, because the check runs on every use."""

    def predicate(interaction: discord.Interaction[Any]) -> bool:
        role = interaction.client.settings.moderator_role
        if not is_moderator(interaction.user, interaction.permissions, role):
            raise NotModerator(role)
        return True

    return app_commands.check(predicate)
