"""Demo sign-in: one person per role from the seeded organisation."""

from __future__ import annotations

from api.auth import Role
from graph.model import JobRole
from graph.people import first_learner
from graph.store import Tx

_PICKS = {
    Role.AGENT: (JobRole.AGENT, True),
    Role.MODERATOR: (JobRole.TRAINER, False),
    Role.HR: (JobRole.MANAGER, False),
    Role.ADMIN: (JobRole.MANAGER, False),
}
"""Each role's (job role, whether only people open to being mentored)."""


async def demo_people(tx: Tx) -> dict[Role, tuple[str, str]]:
    """A (person id, name) for each role, the same every time for the same data."""
    picks: dict[Role, tuple[str, str]] = {}
    for role, (job_role, open_to_being_mentored) in _PICKS.items():
        pick = await first_learner(
            tx,
            job_role,
            open_to_being_mentored=open_to_being_mentored,
            excluding={person_id for person_id, _ in picks.values()},
        )
        if pick is not None:
            picks[role] = pick
    return picks
