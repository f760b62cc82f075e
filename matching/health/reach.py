"""Reach: who has no learning tie at all, and whose learning goals are being served.

Definitions:

- **isolated**: people in scope with no learning tie — no active mentorship as
  mentor or as mentee, no squad that is not archived, no community.
- **goal coverage**: of the people in scope with at least one learning goal, the
  share with a goal *covered*, either by an active mentorship in which they are the
  mentee and whose focus includes one of their goals or whose mentor holds one of
  their goals at level 4 or more, or by a squad they are in, not archived, with one
  of their goals among its focus skills.

Partners and squads outside the scope count: reach describes the people in scope.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.health._stats import share
from matching.health.scope import ORGANISATION, HealthScope
from matching.health.table import EXPERT_LEVEL
from matching.views import Views


@dataclass(frozen=True)
class Reach:
    """Isolation and goal coverage of the people in scope."""

    people: int
    isolated: tuple[str, ...]
    """Ids of the people with no learning tie."""
    with_goals: int
    """People with at least one learning goal."""
    uncovered: tuple[str, ...]
    """Ids of the people with goals, none of them covered."""

    @property
    def isolated_share(self) -> float:
        """Isolated people over people in scope."""
        return share(len(self.isolated), self.people)

    @property
    def covered(self) -> int:
        """People with goals and at least one goal covered."""
        return self.with_goals - len(self.uncovered)

    @property
    def goal_coverage(self) -> float:
        """Covered people over people with goals."""
        return share(self.covered, self.with_goals)


def learning_reach(views: Views, scope: HealthScope = ORGANISATION) -> Reach:
    """Who in ``scope`` has no learning tie, and who has goals nobody is serving."""
    population = views.population
    table = population.table
    admitted = table.mask(scope)
    people = population.people
    tied = np.zeros(len(admitted), np.bool_)
    covered = np.zeros(len(admitted), np.bool_)
    for m in population.mentorships:
        if m.status != "active":
            continue
        tied[table.rows_of((m.mentor, m.mentee))] = True
        mentee = people.get(m.mentee)
        mentor = people.get(m.mentor)
        if mentee is None:
            continue
        if any(skill in mentee.goals for skill in m.focus) or (
            mentor is not None
            and any(mentor.skills.get(goal, 0) >= EXPERT_LEVEL for goal in mentee.goals)
        ):
            covered[table.row[mentee.id]] = True
    for squad in population.squads():
        if squad.status == "archived":
            continue
        for pid in squad.members:
            row = table.row.get(pid)
            if row is None:
                continue
            tied[row] = True  # a squad that is not archived is a learning tie
            if not covered[row] and any(skill in people[pid].goals for skill in squad.skills):
                covered[row] = True
    isolated = admitted & ~tied & ~table.has_community
    with_goals = admitted & table.has_goals
    return Reach(
        int(admitted.sum()),
        table.ids_at(isolated),
        int(with_goals.sum()),
        table.ids_at(with_goals & ~covered),
    )
