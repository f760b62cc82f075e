"""Reciprocity: how many mentoring pairs are peer exchanges, where both sides teach.

Definitions, over pairs of people both in scope:

- **mentoring pair**: two people with at least one mentorship between them, either
  way, that is active or ended.
- **peer exchange**: a mentoring pair in which both sides teach — there is such a
  mentorship each way (**mutual**), or in one of them the mentee holds at level 4
  or more a skill among the mentor's learning goals.
- **reciprocity**: peer exchanges over mentoring pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

from matching.health._stats import share
from matching.health.population import FORMED
from matching.health.scope import ORGANISATION, HealthScope
from matching.health.table import EXPERT_LEVEL
from matching.views import Views


@dataclass(frozen=True)
class Reciprocity:
    """Peer exchanges among the mentoring pairs in scope."""

    pairs: int
    mutual: int
    """Pairs with a mentorship each way."""
    exchanges: tuple[tuple[str, str], ...]
    """The peer-exchange pairs, each as ``(smaller id, larger id)``, sorted."""

    @property
    def share(self) -> float:
        """Peer exchanges over mentoring pairs."""
        return share(len(self.exchanges), self.pairs)


def peer_reciprocity(views: Views, scope: HealthScope = ORGANISATION) -> Reciprocity:
    """Which mentoring pairs in ``scope`` teach both ways."""
    population = views.population
    people = population.people
    table = population.table
    admitted = table.mask(scope).tolist()
    row = table.row
    directions: dict[tuple[str, str], set[str]] = {}
    exchanges: set[tuple[str, str]] = set()
    for m in population.mentorships:
        if m.status not in FORMED or m.mentor == m.mentee:
            continue
        a, b = row.get(m.mentor), row.get(m.mentee)
        if a is None or b is None or not (admitted[a] and admitted[b]):
            continue
        pair = (min(m.mentor, m.mentee), max(m.mentor, m.mentee))
        directions.setdefault(pair, set()).add(m.mentor)
        mentor, mentee = people[m.mentor], people[m.mentee]
        if any(mentee.skills.get(goal, 0) >= EXPERT_LEVEL for goal in mentor.goals):
            exchanges.add(pair)
    mutual = {pair for pair, mentors in directions.items() if len(mentors) == 2}
    return Reciprocity(len(directions), len(mutual), tuple(sorted(exchanges | mutual)))
