"""Squads and communities: their size, function mix, growth and which have gone quiet.

Definitions (a group is in scope when at least one member is; it is then described
whole, members outside the scope included):

- **size**: members; **functions**: distinct functions among them. Means are over
  the active groups; **cross-functional share**: active groups mixing at least two
  functions.
- **inactive**: a squad that is archived; a community with fewer than 3 members, or
  whose ``last_activity_at`` (where the projection records one) is more than 90 days
  old.
- **growth**: memberships of people in scope that began in the last 30 and 90 days
  (``joined_at`` on the membership), and groups created in those windows
  (``created_at`` on the group); each is ``None`` while the projection carries no
  such date at all.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from matching.health._stats import share
from matching.health.population import GroupRecord, Population
from matching.health.scope import ORGANISATION, HealthScope
from matching.views import Views

MIN_COMMUNITY = 3
"""A community with fewer members than this counts as inactive."""
QUIET_DAYS = 90
"""A community without activity for longer than this counts as inactive."""


@dataclass(frozen=True)
class GroupSummary:
    """One squad or community."""

    id: str
    size: int
    functions: Mapping[str, int]
    """Function to members of that function."""
    created_at: dt.datetime | None
    inactive: bool


@dataclass(frozen=True)
class Growth:
    """New memberships and new groups in the last 30 and 90 days (``None``: no dates)."""

    joined_30d: int | None
    joined_90d: int | None
    created_30d: int | None
    created_90d: int | None


@dataclass(frozen=True)
class GroupKindHealth:
    """The squads, or the communities, in scope."""

    groups: tuple[GroupSummary, ...]
    """By id."""
    growth: Growth

    @property
    def inactive(self) -> tuple[str, ...]:
        """Ids of the inactive groups."""
        return tuple(g.id for g in self.groups if g.inactive)

    @property
    def active(self) -> int:
        """Groups not inactive."""
        return len(self.groups) - len(self.inactive)

    @property
    def mean_size(self) -> float:
        """Mean members of an active group."""
        return share(sum(g.size for g in self.groups if not g.inactive), self.active)

    @property
    def mean_functions(self) -> float:
        """Mean distinct functions of an active group."""
        return share(sum(len(g.functions) for g in self.groups if not g.inactive), self.active)

    @property
    def cross_functional_share(self) -> float:
        """Active groups with at least two functions, over active groups."""
        mixed = sum(1 for g in self.groups if not g.inactive and len(g.functions) >= 2)
        return share(mixed, self.active)


@dataclass(frozen=True)
class GroupHealth:
    """Squads and communities in scope."""

    squads: GroupKindHealth
    communities: GroupKindHealth


def _inactive(group: GroupRecord, now: dt.datetime) -> bool:
    if group.kind == "squad":
        return group.status == "archived"
    quiet = group.last_activity_at is not None and group.last_activity_at < now - dt.timedelta(
        days=QUIET_DAYS
    )
    return len(group.members) < MIN_COMMUNITY or quiet


def _since(dates: Sequence[dt.datetime], known: bool, now: dt.datetime, window: int) -> int | None:
    if not known:
        return None
    return sum(1 for d in dates if d >= now - dt.timedelta(days=window))


def _kind_health(
    population: Population,
    groups: list[GroupRecord],
    admitted: list[bool],
    now: dt.datetime,
) -> GroupKindHealth:
    table = population.table
    row = table.row
    function_names = table.functions.values
    summaries: list[GroupSummary] = []
    joined: list[dt.datetime] = []
    created: list[dt.datetime] = []
    any_joined = False
    for group in groups:
        any_joined = any_joined or bool(group.joined_at)
        rows = [r for pid in group.members if (r := row.get(pid)) is not None]
        if not any(admitted[r] for r in rows):
            continue
        joined.extend(
            d
            for pid, d in group.joined_at.items()
            if (r := row.get(pid)) is not None and admitted[r]
        )
        if group.created_at is not None:
            created.append(group.created_at)
        functions = Counter(table.function[rows].tolist())
        summaries.append(
            GroupSummary(
                group.id,
                len(group.members),
                dict(sorted((str(function_names[f]), n) for f, n in functions.items())),
                group.created_at,
                _inactive(group, now),
            )
        )
    dated = any(g.created_at is not None for g in groups)
    growth = Growth(
        joined_30d=_since(joined, any_joined, now, 30),
        joined_90d=_since(joined, any_joined, now, 90),
        created_30d=_since(created, dated, now, 30),
        created_90d=_since(created, dated, now, 90),
    )
    return GroupKindHealth(tuple(summaries), growth)


def group_health(
    views: Views, scope: HealthScope = ORGANISATION, *, as_of: dt.datetime | None = None
) -> GroupHealth:
    """Size, function mix, growth and inactivity of the squads and communities in ``scope``."""
    population = views.population
    now = as_of or dt.datetime.now(dt.UTC)
    admitted = population.table.mask(scope).tolist()
    return GroupHealth(
        squads=_kind_health(population, population.squads(), admitted, now),
        communities=_kind_health(population, population.communities(), admitted, now),
    )
