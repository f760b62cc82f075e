"""Community sessions in the API: ``scheduleSession``, ``rsvpSession``, ``recordAttendance``.

Who may: a community's own moderators (and admins) schedule its sessions and record who
came; its members RSVP for themselves. The rules table says so (:mod:`api.permissions`),
and the store checks the same again under the community's or the session's lock as it
writes (:mod:`graph.sessions`). See docs/sessions.md.
"""

from __future__ import annotations

import datetime as dt

import strawberry

from api.auth import Role
from api.context import Info
from api.errors import NotFoundError
from api.permissions import Action, require
from api.types import Session
from graph import sessions


async def _moderators(info: Info, community_id: str) -> tuple[str, ...]:
    found = await info.context.loaders.community.load(community_id)
    if found is None:
        raise NotFoundError(f"No community with id {community_id!r}.")
    return found.moderator_ids


async def _session(info: Info, session_id: str) -> sessions.Session:
    found = await info.context.store.read(sessions.get_session, session_id)
    if found is None:
        raise NotFoundError(f"No session with id {session_id!r}.")
    return found


@strawberry.type
class SessionMutations:
    @strawberry.mutation(
        description="Schedule a session of a community (its moderators, or admins); each member "
        "is notified (COMMUNITY_SESSION_SCHEDULED)."
    )
    async def schedule_session(
        self,
        info: Info,
        community_id: strawberry.ID,
        title: str,
        starts_at: dt.datetime,
        capacity: int,
        topic_skills: list[str] | None = None,
    ) -> Session:
        principal = info.context.principal
        require(principal, Action.SCHEDULE_SESSIONS, *await _moderators(info, str(community_id)))
        catalog = await info.context.catalog()
        keys = [catalog.require(name).key for name in topic_skills or ()]
        found = await info.context.write(
            sessions.schedule_session,
            str(community_id),
            title=title,
            starts_at=starts_at if starts_at.tzinfo else starts_at.replace(tzinfo=dt.UTC),
            capacity=capacity,
            topic_skills=keys,
            by=principal.person_id,
            admin=principal.role is Role.ADMIN,
        )
        return Session.of(found)

    @strawberry.mutation(
        description="Say you come to a session of a community you belong to (`going: false` to "
        "take it back). A full session is a CONFLICT."
    )
    async def rsvp_session(
        self, info: Info, session_id: strawberry.ID, going: bool = True
    ) -> Session:
        principal = info.context.principal
        require(principal, Action.JOIN_COMMUNITY, principal.person_id)
        found = await info.context.write(
            sessions.rsvp, str(session_id), principal.person_id, going=going
        )
        return Session.of(found)

    @strawberry.mutation(
        description="Record which members came to a session that has started (its community's "
        "moderators, or admins)."
    )
    async def record_attendance(
        self, info: Info, session_id: strawberry.ID, person_ids: list[strawberry.ID]
    ) -> Session:
        principal = info.context.principal
        session = await _session(info, str(session_id))
        require(principal, Action.SCHEDULE_SESSIONS, *await _moderators(info, session.community_id))
        found = await info.context.write(
            sessions.record_attendance,
            str(session_id),
            [str(p) for p in person_ids],
            by=principal.person_id,
            admin=principal.role is Role.ADMIN,
        )
        return Session.of(found)
