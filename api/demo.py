"""Demo sign-in: one person per role from the seeded organisation, for the CLI and the pages."""

from __future__ import annotations

from starlette.requests import Request

from api.auth import Role, Tokens
from graph.errors import StoreError
from graph.model import JobRole
from graph.people import first_learner
from graph.store import Store, Tx
from web.demo import DemoUnavailable, DemoUser, DemoUsers

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


def demo_sign_in(tokens: Tokens) -> DemoUsers:
    """The demo people for the sign-in page, read from the app's store, with fresh tokens."""

    async def users(request: Request) -> list[DemoUser]:
        store: Store = request.app.state.store
        try:
            picks = await store.read(demo_people)
        except StoreError as error:
            raise DemoUnavailable(str(error)) from error
        return [
            DemoUser(
                role=role.value,
                person_id=person_id,
                name=name,
                token=tokens.mint(person_id, role),
            )
            for role, (person_id, name) in picks.items()
        ]

    return users
