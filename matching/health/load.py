"""Mentor load: how active mentorships spread over the mentors who could take them.

Definitions:

- **mentors**: people in scope open to mentoring with a capacity above 0, plus
  anyone in scope with an active mentee (whatever their settings say).
- **active**: active mentorships held by those mentors; **utilisation** is active
  over the summed capacity.
- **over capacity**: mentors with more active mentorships than their capacity.
  Assignment never does this, so anything above 0 is a data or process problem.
- **Gini**: the Gini coefficient of active mentorships across mentors (0: evenly
  spread; towards 1: a few mentors carry everything).
- **pending**: requests (status ``requested``) to mentors in scope; their age is
  measured from the mentorship's ``requested_at`` where the projection carries one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from matching.health._stats import days, gini, median, share
from matching.health.scope import ORGANISATION, HealthScope
from matching.views import Views


@dataclass(frozen=True)
class MentorLoad:
    """Active mentorships against capacity, and pending requests."""

    mentors: int
    capacity: int
    """Summed capacity of the mentors."""
    active: int
    distribution: Mapping[int, int]
    """Number of active mentorships to how many mentors hold that many."""
    over_capacity: tuple[str, ...]
    """Ids of mentors with more active mentorships than their capacity."""
    gini: float
    pending: int
    pending_ages: tuple[float, ...]
    """Age in days of each pending request that records when it was made, oldest first."""

    @property
    def utilisation(self) -> float:
        """Active mentorships over summed capacity."""
        return share(self.active, self.capacity)

    @property
    def over_capacity_share(self) -> float:
        """Mentors over capacity over mentors; should be 0."""
        return share(len(self.over_capacity), self.mentors)

    @property
    def pending_median_days(self) -> float | None:
        """Median age of the dated pending requests, or ``None`` when none is dated."""
        return median(self.pending_ages)

    @property
    def pending_oldest_days(self) -> float | None:
        """Age of the oldest dated pending request, or ``None``."""
        return self.pending_ages[0] if self.pending_ages else None


def mentor_load(
    views: Views, scope: HealthScope = ORGANISATION, *, as_of: dt.datetime | None = None
) -> MentorLoad:
    """Load on the mentors in ``scope``; request ages are measured at ``as_of`` (default now)."""
    population = views.population
    table = population.table
    now = as_of or dt.datetime.now(dt.UTC)
    admitted = table.mask(scope)
    active = np.zeros(len(admitted), np.int64)
    pending = 0
    ages: list[float] = []
    for m in population.mentorships:
        row = table.row.get(m.mentor)
        if row is None or not admitted[row]:
            continue
        if m.status == "active":
            active[row] += 1
        elif m.status == "requested":
            pending += 1
            if m.requested_at is not None:
                ages.append(days(m.requested_at, now))
    mentors = admitted & (table.offers_mentoring | (active > 0))
    loads = active[mentors]
    levels, counts = np.unique(loads, return_counts=True)
    return MentorLoad(
        mentors=int(mentors.sum()),
        capacity=int(table.capacity[mentors].sum()),
        active=int(loads.sum()),
        distribution=dict(zip(levels.tolist(), counts.tolist(), strict=True)),
        over_capacity=table.ids_at(mentors & (active > table.capacity)),
        gini=gini(loads.tolist()),
        pending=pending,
        pending_ages=tuple(sorted(ages, reverse=True)),
    )
