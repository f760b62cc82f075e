"""Bridges and silos: how often learning ties cross teams, functions and sites.

Definitions:

- **tie**: a pair of people who learned together — a mentorship between them,
  either way, that is active or ended, or a squad they share (archived or not).
  Each pair counts once however many ways it is tied.
- **within**: ties with both people in scope; the **cross-team**, **cross-function**
  and **cross-site** shares are of those ties. **Cross-scope**: ties with exactly one
  person in scope, reported apart (always 0 for the whole organisation).
- **team ties**: for each team with people in scope, its *inside* ties (both people
  in the team) and *outside* ties (one person in the team, the other anywhere else).
- **silo**: a team of at least two people in scope with no outside tie, or with
  fewer outside ties than inside ones (a negative E-I index).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from matching.health._stats import share
from matching.health.scope import ORGANISATION, HealthScope
from matching.views import Views


@dataclass(frozen=True)
class TeamTies:
    """Learning ties inside one team and from it to everyone else."""

    team: str
    members: int
    inside: int
    outside: int

    @property
    def ei_index(self) -> float:
        """Krackhardt's E-I index, ``(outside − inside) / (outside + inside)``; 0 with no ties."""
        return share(self.outside - self.inside, self.outside + self.inside)

    @property
    def silo(self) -> bool:
        """At least two people and no outside tie, or more ties inside than out."""
        return self.members >= 2 and (self.outside == 0 or self.outside < self.inside)


@dataclass(frozen=True)
class TieMix:
    """How the learning ties of the people in scope cross boundaries."""

    within: int
    cross_team: int
    cross_function: int
    cross_site: int
    cross_scope: int
    teams: tuple[TeamTies, ...]
    """Every team with people in scope, by id."""

    @property
    def silos(self) -> tuple[str, ...]:
        """Silo teams, fewest outside ties per member first."""
        silos = sorted(
            (t for t in self.teams if t.silo),
            key=lambda t: (t.outside / t.members, -t.members, t.team),
        )
        return tuple(t.team for t in silos)

    @property
    def cross_team_share(self) -> float:
        """Ties within scope joining two teams, over ties within scope."""
        return share(self.cross_team, self.within)

    @property
    def cross_function_share(self) -> float:
        """Ties within scope joining two functions, over ties within scope."""
        return share(self.cross_function, self.within)

    @property
    def cross_site_share(self) -> float:
        """Ties within scope joining two sites, over ties within scope."""
        return share(self.cross_site, self.within)


def tie_mix(views: Views, scope: HealthScope = ORGANISATION) -> TieMix:
    """Cross-team, cross-function and cross-site shares of ties, and silo teams, in ``scope``."""
    population = views.population
    people = population.people
    admitted = {p.id for p in population.in_scope(scope)}
    members: Counter[str] = Counter()
    for pid in admitted:
        team = people[pid].team
        if team is not None:
            members[team] += 1
    inside: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    within = cross_team = cross_function = cross_site = cross_scope = 0
    for a_id, b_id in population.ties:
        a, b = people[a_id], people[b_id]
        a_in, b_in = a_id in admitted, b_id in admitted
        if a.team is not None and a.team == b.team:
            if a_in or b_in:
                inside[a.team] += 1
        else:
            for p, p_in in ((a, a_in), (b, b_in)):
                if p_in and p.team is not None:
                    outside[p.team] += 1
        if a_in and b_in:
            within += 1
            cross_team += a.team != b.team
            cross_function += a.function != b.function
            cross_site += a.site != b.site
        elif a_in or b_in:
            cross_scope += 1
    teams = tuple(
        TeamTies(team, count, inside[team], outside[team])
        for team, count in sorted(members.items())
    )
    return TieMix(within, cross_team, cross_function, cross_site, cross_scope, teams)
