"""One base for every error claimbot shows to a person.

A `ClaimbotError`'s message is written for whoever will read it (a member, a moderator,
an admin at a terminal): it says what is wrong and what to do. Front ends catch this one
type and show it — `str(error)` in English, `error.say(speech)` in the reader's language
when the message is in the catalogs — and treat anything else as a bug to log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .i18n import Speech


class ClaimbotError(Exception):
    """A problem the person who caused it can act on; `str()` is the message to show.

    Raised as `SomeError(N_("… {name} …"), name=value)`, the message can be shown in any
    language; raised with a finished English string, it is shown as it is."""

    def __init__(self, message: str = "", /, **values: Any) -> None:
        self.message = message
        self.values = values
        if values:
            from .i18n import ENGLISH  # numbers in English as people write them: 2,001

            message = ENGLISH.tr(message, **values)
        super().__init__(message)

    def say(self, speech: Speech) -> str:
        """The message in `speech`'s language (English where the catalogs lack it)."""
        return speech.tr(self.message, **self.values) if self.message else str(self)
