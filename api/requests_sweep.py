"""The requests sweep: remind mentors, record expiries, settle each mentee's next pick.

One periodic job (every ``SKILLWEAVE_EXPIRY_SWEEP_SECONDS``), three steps, each its own
transactions, so a step that fails leaves the others' work committed and is done again next
time:

1. :func:`graph.mentorships.remind_expiring`: requests expiring within
   ``SKILLWEAVE_REMINDER_HOURS_BEFORE_EXPIRY`` get one ``REQUEST_EXPIRING_SOON`` to the mentor.
2. :func:`graph.mentorships.expire_requests`: requests past their expiry are recorded.
3. Next picks: for each request expired in the last :data:`NEXT_PICK_WINDOW` and not settled
   yet (also those a stopped process left), the matcher, on the read model, names the
   mentee's best mentor other than the one who let it lapse (and any they have an open
   mentorship with); :func:`graph.mentorships.settle_next_pick` offers that mentor
   (``NEXT_PICK_OFFERED``) or, for a mentee who opted in, requests them, in the same
   transaction as it marks the expired request settled. An automatic request the rules
   refuse (the mentee's pending limit, a mentor who stopped mentoring) becomes an offer.

The matching is done here, in the API layer: the graph layer does not call the matcher.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from api.feed import EventFeed
from api.settings import AppSettings
from graph import mentorships
from graph.errors import Conflict, InvalidInput, NotFound
from graph.model import MentorshipStatus
from graph.store import Store
from matching.mentoring import suggest_mentors
from readmodel import directory
from readmodel.keeper import ReadModelKeeper
from readmodel.store import ReadModel

log = logging.getLogger(__name__)

NEXT_PICK_WINDOW = dt.timedelta(days=7)
"""How long after an expiry its next pick is still settled (older ones are left alone)."""
MAX_FOCUS = 5
"""A request names at most this many focus skills."""
_OPEN = (MentorshipStatus.REQUESTED, MentorshipStatus.ACTIVE)


def next_pick(
    projection: ReadModel, lapsed: mentorships.Lapsed, *, first: int = 10
) -> tuple[str, list[str]] | None:
    """The mentee's next best mentor, and the focus skills to ask them for; None: nobody.

    Not the lapsed mentor, nor one the mentee has an open mentorship with. The skills are
    those the matcher says the mentor teaches them, else the lapsed request's focus.
    """
    if lapsed.mentee_id not in projection.profiles:
        return None
    taken = {lapsed.mentor_id} | {
        m.mentor_id
        for m in directory.mentorships_of(projection, lapsed.mentee_id)
        if m.status in _OPEN and m.mentee_id == lapsed.mentee_id
    }
    for pair in suggest_mentors(projection, lapsed.mentee_id, first=first + len(taken)):
        if pair.mentor in taken:
            continue
        skills = sorted({m.skill for m in pair.matched})[:MAX_FOCUS]
        return pair.mentor, skills or list(lapsed.focus_skills)[:MAX_FOCUS]
    return None


async def settle_next_picks(
    store: Store, keeper: ReadModelKeeper, settings: AppSettings, *, now: dt.datetime | None = None
) -> list[mentorships.NextPick]:
    """Settle the next pick of every recently expired request not settled yet."""
    now = now or dt.datetime.now(dt.UTC)
    waiting = await store.read(mentorships.awaiting_next_pick, since=now - NEXT_PICK_WINDOW)
    if not waiting:
        return []
    async with keeper.lease() as projection:
        picks = await asyncio.to_thread(
            lambda: [(lapsed, next_pick(projection, lapsed)) for lapsed in waiting]
        )
    settled: list[mentorships.NextPick] = []
    for lapsed, pick in picks:
        mentor, skills = pick if pick is not None else (None, [])
        ttl, limit = settings.request_ttl, settings.skillweave_pending_request_limit
        try:
            done = await store.write(
                mentorships.settle_next_pick,
                lapsed.id,
                mentor_id=mentor,
                focus_skills=skills,
                ttl=ttl,
                pending_limit=limit,
            )
        except (Conflict, NotFound, InvalidInput) as refused:
            log.info("next pick for %s offered, not requested: %s", lapsed.id, refused)
            done = await store.write(
                mentorships.settle_next_pick,
                lapsed.id,
                mentor_id=mentor,
                focus_skills=skills,
                allow_auto=False,
            )
        if done is not None:
            settled.append(done)
    return settled


async def sweep_requests(
    store: Store,
    keeper: ReadModelKeeper,
    feed: EventFeed | None,
    settings: AppSettings,
    *,
    now: dt.datetime | None = None,
) -> None:
    """One round of the sweep: reminders, expiries, next picks."""
    reminded = 0
    if settings.skillweave_reminder_hours_before_expiry > 0:
        reminded = await store.write(
            mentorships.remind_expiring, within=settings.reminder_before, now=now
        )
    expired = await store.write(mentorships.expire_requests, now=now)
    picks = await settle_next_picks(store, keeper, settings, now=now)
    if reminded or expired or picks:
        if feed is not None:
            feed.nudge()
        log.info(
            "requests sweep: %d reminded, %d expired, %d next picks", reminded, expired, len(picks)
        )
