"""The signed-in person's notifications: the inbox, marking read, and the live subscription.

Each is about the caller only (there is no argument naming someone else), and marking
read touches only the caller's own events. See docs/notifications.md.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import json
from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry
from starlette.authentication import AuthenticationError

from api.auth import Principal, still_signed_in
from api.context import Info
from api.errors import BadInput, Unauthenticated
from api.pagination import page_size
from api.permissions import Action, require
from api.types import PageInfo
from graph import outbox
from graph.outbox import EventKind

strawberry.enum(
    EventKind,
    name="NotificationKind",
    description="What a notification is about (docs/notifications.md lists who gets each).",
)


CHECK_SECONDS = 1.0
"""How often an open subscription with no news checks its token still holds (it also checks
before each notification, and exactly when the token expires)."""


def _until_next_check(principal: Principal) -> float:
    """Seconds to wait for an event before checking again: at most until the token expires."""
    if principal.expires_at is None:
        return CHECK_SECONDS
    left = (principal.expires_at - dt.datetime.now(dt.UTC)).total_seconds()
    return min(CHECK_SECONDS, left)


async def _still_signed_in(info: Info, principal: Principal) -> None:
    try:
        await still_signed_in(info.context.request, principal)
    except AuthenticationError as error:
        raise Unauthenticated(str(error)) from None


def encode_cursor(sequence: int) -> str:
    """The cursor just after the notification with this number."""
    raw = json.dumps(["n", sequence], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The number a cursor stands for.

    Raises:
        BadInput: the cursor is not one of ``notifications``.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, sequence = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if kind != "n" or isinstance(sequence, bool) or not isinstance(sequence, int):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadInput("That cursor is not valid; use the endCursor of a previous page.") from None
    return sequence


def summary(event: outbox.Event) -> str:
    """One sentence saying what happened, for a list or a toast."""
    p = event.payload
    who = p.get("person_name") or p.get("person_id") or "Someone"
    group = p.get("group_name") or ""
    match event.kind:
        case EventKind.REQUEST_RECEIVED:
            return f"{who} asked you to be their mentor."
        case EventKind.REQUEST_ACCEPTED:
            return f"{who} accepted your mentorship request."
        case EventKind.REQUEST_DECLINED:
            return f"{who} declined your mentorship request."
        case EventKind.REQUEST_EXPIRING_SOON:
            return f"The request from {who} expires soon."
        case EventKind.REQUEST_EXPIRED:
            if p.get("role") == "mentor":
                return f"The request from {who} expired unanswered."
            return f"Your request to {who} expired unanswered."
        case EventKind.MENTORSHIP_ENDED:
            return f"{who} ended your mentorship and left feedback."
        case EventKind.ASSIGNMENT_COMMITTED:
            if p.get("role") == "mentor":
                return f"You were matched to mentor {who}."
            return f"You were matched with {who} as your mentor."
        case EventKind.SQUAD_INVITATION:
            return f"You were added to the squad {group}."
        case EventKind.COMMUNITY_INVITATION:
            if p.get("role") == "moderator":
                return f"You were made a moderator of {group}."
            return f"You were added to the community {group}."
        case EventKind.COMMUNITY_SESSION_SCHEDULED:
            return f"A session was scheduled in {group}: {p.get('title') or 'see the community'}."
        case EventKind.NEXT_PICK_OFFERED:
            if p.get("auto_requested"):
                return f"Your request lapsed, so {who} was asked to mentor you instead."
            return f"Your request lapsed; {who} could mentor you instead."
    return "Something happened."  # pragma: no cover


def _optional_id(value: Any) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value is not None else None


@strawberry.type(description="Something that happened that concerns the signed-in person.")
class Notification:
    id: strawberry.ID = strawberry.field(description="Stable id.")
    sequence: int = strawberry.field(
        description="Running number across the service: later notifications have larger ones. "
        "Pass the last one seen as the subscription's `after` to miss nothing on reconnect."
    )
    kind: EventKind = strawberry.field(description="What it is about.")
    at: dt.datetime = strawberry.field(description="When it happened.")
    read: bool = strawberry.field(description="Whether it was marked read.")
    summary: str = strawberry.field(description="One sentence saying what happened.")
    mentorship_id: strawberry.ID | None = strawberry.field(description="The mentorship, if any.")
    squad_id: strawberry.ID | None = strawberry.field(description="The squad, if any.")
    community_id: strawberry.ID | None = strawberry.field(description="The community, if any.")
    person_id: strawberry.ID | None = strawberry.field(
        description="The other person: who asked, answered, ended, was matched, or added you."
    )
    person_name: str | None = strawberry.field(description="Their name when it happened.")
    rating: int | None = strawberry.field(description="The rating left, when a mentorship ended.")
    session_id: strawberry.ID | None = strawberry.field(description="The session, if any.")
    focus_skills: list[str] = strawberry.field(
        description="Skill keys it is about: a request's focus, a session's topics, or the "
        "skills of a next pick (pass them to `requestMentorship` to ask with one click)."
    )

    @classmethod
    def of(cls, event: outbox.Event) -> Notification:
        p = event.payload
        return cls(
            id=strawberry.ID(event.id),
            sequence=event.sequence,
            kind=event.kind,
            at=event.at or dt.datetime.now(dt.UTC),
            read=event.read,
            summary=summary(event),
            mentorship_id=_optional_id(p.get("mentorship_id")),
            squad_id=_optional_id(p.get("squad_id")),
            community_id=_optional_id(p.get("community_id")),
            person_id=_optional_id(p.get("person_id")),
            person_name=p.get("person_name"),
            rating=p.get("rating"),
            session_id=_optional_id(p.get("session_id")),
            focus_skills=[str(k) for k in p.get("focus_skills") or ()],
        )


@strawberry.type(description="A notification and its cursor.")
class NotificationEdge:
    cursor: str = strawberry.field(description="Pass as `after` for the notifications after it.")
    node: Notification = strawberry.field(description="The notification.")


@strawberry.type(description="A page of the signed-in person's notifications, newest first.")
class NotificationConnection:
    edges: list[NotificationEdge] = strawberry.field(description="This page, newest first.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    person_id: strawberry.Private[str]

    @strawberry.field(description="How many of the person's notifications are unread, in all.")
    async def unread_count(self, info: Info) -> int:
        return await info.context.store.read(outbox.unread_count, self.person_id)


@strawberry.type(description="What marking notifications read did.")
class MarkedRead:
    marked: int = strawberry.field(
        description="How many became read (read ones stay as they were)."
    )
    unread_count: int = strawberry.field(description="How many are unread now.")


@strawberry.type
class NotificationQueries:
    @strawberry.field(description="The signed-in person's notifications, newest first.")
    async def notifications(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        unread_only: bool = False,
    ) -> NotificationConnection:
        principal = info.context.principal
        require(principal, Action.READ_NOTIFICATIONS)
        size = page_size(first, cap=info.context.settings.skillweave_max_page_size)
        before = decode_cursor(after) if after is not None else None
        found = await info.context.store.read(
            outbox.events_for,
            principal.person_id,
            after=before,
            first=size + 1,
            unread_only=unread_only,
            newest_first=True,
        )
        edges = [
            NotificationEdge(cursor=encode_cursor(e.sequence), node=Notification.of(e))
            for e in found[:size]
        ]
        return NotificationConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(found) > size,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            person_id=principal.person_id,
        )


IdsArg = Annotated[
    list[strawberry.ID] | None,
    strawberry.argument(description="Mark these notifications read (others' ids are ignored)."),
]
UpToArg = Annotated[
    int | None,
    strawberry.argument(description="Mark every notification up to this `sequence` read."),
]


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(
        description="Mark some of your notifications read: by id, or all up to a `sequence`. "
        "Marking one read already changes nothing."
    )
    async def mark_notifications_read(
        self, info: Info, ids: IdsArg = None, up_to: UpToArg = None
    ) -> MarkedRead:
        principal = info.context.principal
        require(principal, Action.READ_NOTIFICATIONS)
        if not ids and up_to is None:
            raise BadInput("Name the notifications to mark read: `ids`, `upTo`, or both.")
        if ids is not None and len(ids) > info.context.settings.skillweave_max_page_size:
            raise BadInput(
                f"Mark at most {info.context.settings.skillweave_max_page_size} notifications by "
                "id at once, or use `upTo`."
            )
        marked = await info.context.store.write(
            outbox.mark_read, principal.person_id, ids=[str(i) for i in ids or ()], up_to=up_to
        )
        unread = await info.context.store.read(outbox.unread_count, principal.person_id)
        return MarkedRead(marked=marked, unread_count=unread)


@strawberry.type(description="Live updates over WebSocket (graphql-transport-ws).")
class Subscription:
    @strawberry.subscription(
        description="Your new notifications as they happen (within about half a second). "
        "With `after` (a `sequence`), those after it come first: pass the last one seen when "
        "reconnecting to miss nothing. Ends with an `UNAUTHENTICATED` error when the token "
        "expires or its person leaves the organisation (within about a second)."
    )
    async def notifications(
        self, info: Info, after: int | None = None
    ) -> AsyncGenerator[Notification, None]:
        principal = info.context.principal
        require(principal, Action.READ_NOTIFICATIONS)
        feed = info.context.feed
        if feed is None:
            raise BadInput("Notifications are not served here.")
        # the token is checked again while the subscription lasts, by the rules that signed
        # it in: it ends when the token expires (EXPIRED) or its person leaves (LEFT)
        await _still_signed_in(info, principal)  # a socket may have been open a while
        if after is None:
            after = await info.context.store.read(outbox.latest_sequence_for, principal.person_id)
        events = feed.watch(
            principal.person_id, after=after, idle=lambda: _until_next_check(principal)
        )
        async with contextlib.aclosing(events):  # closed between reads, never during one
            async for event in events:
                await _still_signed_in(info, principal)
                if event is not None:
                    yield Notification.of(event)
