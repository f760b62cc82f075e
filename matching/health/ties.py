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

from dataclasses import dataclass

import numpy as np

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
    table = population.table
    admitted = table.mask(scope)
    a, b = population.tie_rows
    a_in, b_in = admitted[a], admitted[b]
    team_a, team_b = table.team[a], table.team[b]
    same_team = (team_a != 0) & (team_a == team_b)  # code 0: no team
    teams = len(table.teams.values)

    def per_team(codes: np.ndarray) -> np.ndarray:
        return np.bincount(codes, minlength=teams)

    members = per_team(table.team[admitted])
    inside = per_team(team_a[same_team & (a_in | b_in)])
    outside = per_team(team_a[~same_team & a_in]) + per_team(team_b[~same_team & b_in])
    both = a_in & b_in
    within = int(both.sum())
    cross_team = int((team_a != team_b)[both].sum())
    cross_function = int((table.function[a] != table.function[b])[both].sum())
    cross_site = int((table.site[a] != table.site[b])[both].sum())
    cross_scope = int((a_in ^ b_in).sum())
    names = table.teams.values
    present = [c for c in np.flatnonzero(members).tolist() if c != 0]
    return TieMix(
        within,
        cross_team,
        cross_function,
        cross_site,
        cross_scope,
        tuple(
            TeamTies(str(names[c]), int(members[c]), int(inside[c]), int(outside[c]))
            for c in sorted(present, key=lambda c: str(names[c]))
        ),
    )
