"""The demo: one person per role from the seeded organisation, and its health history.

Demo sign-in picks the people for the CLI and the pages; :func:`save_demo_history` gives a
freshly seeded demo twelve weekly network-health snapshots, so HR's trend charts have a
history on first start.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

from starlette.requests import Request

from api.auth import Role, Tokens
from api.health import scope_name
from graph import snapshots
from graph.changes import current_version
from graph.errors import StoreError
from graph.model import JobRole
from graph.organisation import Organisation, graph_data
from graph.people import first_learner
from graph.seed import organisation_on
from graph.store import Store, Tx
from matching.health.brokers import brokers_of
from matching.health.clusters import clusters_of
from matching.health.columns import flatten
from matching.health.report import network_health
from matching.health.scope import HealthScope
from readmodel.paths import with_bench
from readmodel.store import ReadModel
from web.demo import DemoUnavailable, DemoUser, DemoUsers

HISTORY_WEEKS = 12

HISTORY_HEAVY_PEOPLE = 5_000
"""Up to this many people the demo's history has brokers and clusters too (a second for the
default 500 people); above, its snapshots are light, brokers and clusters NaN (at 10,000
people they would add over a minute to the first start)."""

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


def demo_history(
    org: Organisation, *, now: dt.datetime, weeks: int = HISTORY_WEEKS
) -> list[tuple[dt.datetime, Mapping[str, float]]]:
    """Organisation-wide metrics once a week for ``weeks`` weeks before ``now``, oldest first.

    Each is every metric of a full snapshot (brokers and clusters included up to
    :data:`HISTORY_HEAVY_PEOPLE` people), computed on :func:`graph.seed.organisation_on` the
    day it is dated: the mentorships, squads and communities the seed's own dates say
    existed then.
    """
    found: list[tuple[dt.datetime, Mapping[str, float]]] = []
    scope = HealthScope()
    for week in range(weeks, 0, -1):
        when = now - dt.timedelta(weeks=week)
        model = ReadModel.build(graph_data(organisation_on(org, when)))
        report = network_health(model, scope, heavy=False, as_of=when, impact=model)
        if len(org.people) <= HISTORY_HEAVY_PEOPLE:
            population = model.population
            report = dataclasses.replace(
                report,
                brokers=brokers_of(population, scope),
                clusters=clusters_of(population, scope),
            )
        found.append((when, with_bench(flatten(report), model, scope)))
    return found


async def save_demo_history(store: Store, org: Organisation, *, now: dt.datetime) -> int:
    """Store :func:`demo_history` of a just-seeded ``org`` as snapshots, in one transaction.

    Only ``serve --demo`` does this, once, when it seeds; real organisations get snapshots
    only as they are taken. Returns how many were stored.
    """
    history = demo_history(org, now=now)
    scope = scope_name(HealthScope())

    async def save(tx: Tx) -> None:
        version = (await current_version(tx)).number
        for when, metrics in history:
            await snapshots.save_snapshot(
                tx, scope=scope, metrics=metrics, version=version, taken_at=when
            )

    await store.write(save)
    return len(history)
