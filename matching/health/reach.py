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

from matching.health._stats import share
from matching.health.population import EXPERT_LEVEL
from matching.health.scope import ORGANISATION, HealthScope
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
    people = population.in_scope(scope)
    active_squads = {q.id: q for q in population.squads() if q.status != "archived"}
    tied: set[str] = set()
    covered: set[str] = set()
    for m in population.mentorships:
        if m.status != "active":
            continue
        tied.update((m.mentor, m.mentee))
        mentee = population.people.get(m.mentee)
        mentor = population.people.get(m.mentor)
        if mentee is None:
            continue
        if any(skill in mentee.goals for skill in m.focus) or (
            mentor is not None
            and any(mentor.skills.get(goal, 0) >= EXPERT_LEVEL for goal in mentee.goals)
        ):
            covered.add(mentee.id)
    isolated: list[str] = []
    uncovered: list[str] = []
    with_goals = 0
    for p in people:
        squads = [active_squads[q] for q in p.squads if q in active_squads]
        if p.id not in tied and not squads and not p.communities:
            isolated.append(p.id)
        if not p.goals:
            continue
        with_goals += 1
        if p.id in covered:
            continue
        if not any(skill in p.goals for q in squads for skill in q.skills):
            uncovered.append(p.id)
    return Reach(len(people), tuple(isolated), with_goals, tuple(uncovered))
