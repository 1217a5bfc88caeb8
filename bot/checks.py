"""Permission checks for moderator commands, as small named predicates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

T = TypeVar("T")


class NotModerator(app_commands.CheckFailure):
    def __init__(self, role: str | None) -> None:
        need = f"the **{role}** role or " if role else ""
        super().__init__(f"Only moderators can do this: it needs {need}the Manage Messages permission.")


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
