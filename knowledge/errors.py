"""One base for every error claimbot shows to a person.

A `ClaimbotError`'s message is written for whoever will read it (a member, a moderator,
an admin at a terminal): it says what is wrong and what to do. Front ends catch this one
type, show `str(error)`, and treat anything else as a bug to log.
"""

from __future__ import annotations


class ClaimbotError(Exception):
    """A problem the person who caused it can act on; `str()` is the message to show."""
