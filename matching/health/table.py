"""HR's metrics read people as columns: one numpy array per attribute, a row per person.

At 300,000 people a metric that visits every person in Python costs about a second, and
the light report has several. The :class:`PeopleTable` keeps what they test per person —
team, function and site (as codes), whether they have goals, communities, room to
mentor — in arrays, so a scope is a boolean mask and a count is a sum. It is kept in
step with the population: a profile edit rewrites that person's row; people arriving or
leaving rebuild it (rows follow the population's sorted ids, so masks list people by id).

Skill holders, experts and goals of the whole organisation are counted here too, kept
by subtracting a changed person's old profile and adding the new one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain

import numpy as np
import numpy.typing as npt

from matching.health.scope import HealthScope
from matching.profiles import Profile

Mask = npt.NDArray[np.bool_]
Codes = npt.NDArray[np.int32]

EXPERT_LEVEL = 4
"""The level from which someone can teach a skill, in every health metric."""


class _Codebook:
    """Small integer codes for the values of one attribute (codes are never reused)."""

    def __init__(self) -> None:
        self.code: dict[object, int] = {}
        self.values: list[object] = []

    def __call__(self, value: object) -> int:
        found = self.code.get(value)
        if found is None:
            found = self.code[value] = len(self.values)
            self.values.append(value)
        return found


class PeopleTable:
    """Columns of every person in a population, row ``i`` being ``ids[i]``."""

    def __init__(self, people: Mapping[str, Profile], ids: Sequence[str]) -> None:
        self.ids: Sequence[str] = ids
        self.row: dict[str, int] = {pid: i for i, pid in enumerate(ids)}
        self.teams = _Codebook()
        self.teams(None)  # code 0: no team
        self.functions = _Codebook()
        self.sites = _Codebook()
        profiles = [people[pid] for pid in ids]
        teams, functions, sites = self.teams, self.functions, self.sites
        self.team: Codes = np.array([teams(p.team) for p in profiles], np.int32)
        self.function: Codes = np.array([functions(p.function) for p in profiles], np.int32)
        self.site: Codes = np.array([sites(p.site) for p in profiles], np.int32)
        self.has_goals: Mask = np.array([bool(p.goals) for p in profiles], np.bool_)
        self.has_community: Mask = np.array([bool(p.communities) for p in profiles], np.bool_)
        self.offers_mentoring: Mask = np.array(
            [p.open_to_mentoring and p.capacity > 0 for p in profiles], np.bool_
        )
        """Open to mentoring with a capacity above 0."""
        self.capacity = np.array([p.capacity for p in profiles], np.int64)
        # one count over everyone at a time (Counter's C loop), not an update per person
        self.holders: Counter[str] = Counter(chain.from_iterable(p.skills for p in profiles))
        """People holding each skill, in the whole organisation."""
        self.experts: Counter[str] = Counter(
            k for p in profiles for k, level in p.skills.items() if level >= EXPERT_LEVEL
        )
        """People holding each skill at :data:`EXPERT_LEVEL` or more."""
        self.demand: Counter[str] = Counter(chain.from_iterable(p.goals for p in profiles))
        """People with each skill as a goal."""
        self._counted: list[Profile] = profiles
        self._ids = np.array(ids, dtype=object)
        self._masks: dict[HealthScope, Mask] = {}

    def _put(self, i: int, p: Profile) -> None:
        old = self._counted[i]
        self.holders.subtract(old.skills.keys())
        self.experts.subtract(k for k, level in old.skills.items() if level >= EXPERT_LEVEL)
        self.demand.subtract(old.goals.keys())
        self.team[i] = self.teams(p.team)
        self.function[i] = self.functions(p.function)
        self.site[i] = self.sites(p.site)
        self.has_goals[i] = bool(p.goals)
        self.has_community[i] = bool(p.communities)
        self.offers_mentoring[i] = p.open_to_mentoring and p.capacity > 0
        self.capacity[i] = p.capacity
        self.holders.update(p.skills.keys())
        self.experts.update(k for k, level in p.skills.items() if level >= EXPERT_LEVEL)
        self.demand.update(p.goals.keys())
        self._counted[i] = p

    def update(self, people: Mapping[str, Profile], changed: Iterable[str]) -> None:
        """Rewrite the rows of ``changed`` people (who were and still are in the population)."""
        for pid in changed:
            i = self.row.get(pid)
            if i is not None and (p := people.get(pid)) is not None:
                self._put(i, p)
        self._masks.clear()
        for counts in (self.holders, self.experts, self.demand):
            for key in [k for k, v in counts.items() if v <= 0]:
                del counts[key]

    def mask(self, scope: HealthScope) -> Mask:
        """Who ``scope`` admits, as a boolean row mask (kept until a row changes)."""
        found = self._masks.get(scope)
        if found is None:
            found = np.ones(len(self.ids), np.bool_)
            for codes, book, value in (
                (self.site, self.sites, scope.site),
                (self.team, self.teams, scope.team),
                (self.function, self.functions, scope.function),
            ):
                if value is not None:
                    code = book.code.get(value)
                    found &= codes == code if code is not None else False
            if len(self._masks) > 32:
                self._masks.clear()
            self._masks[scope] = found
        return found

    def rows_of(self, ids: Iterable[str]) -> npt.NDArray[np.int64]:
        """The rows of ``ids`` that are in the population (others are left out)."""
        row = self.row
        return np.fromiter((r for pid in ids if (r := row.get(pid)) is not None), np.int64)

    def ids_at(self, mask: Mask) -> tuple[str, ...]:
        """The ids of the rows ``mask`` selects, in id order."""
        return tuple(self._ids[mask].tolist())
