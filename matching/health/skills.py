"""Skills: supply against demand, skills one departure away from lost, and skills nobody teaches.

Definitions, counting people in scope only:

- **supply** of a skill: people holding it at level 4 or more; **demand**: people
  with it among their learning goals; **holders**: people holding it at any level.
  A skill is *tracked* when it has holders or demand.
- **at risk** (the bus factor): tracked skills whose supply is below the bus factor
  (default 2), so one departure or less leaves nobody at teaching level.
- **unteachable**: skills with demand and no supply. A site's unteachable skill may
  have teachers elsewhere: the scope is the population.
- **goals unteachable share**: of all learning goals (person, skill) in scope, the
  share whose skill is unteachable.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import chain

from matching.health._stats import share
from matching.health.scope import ORGANISATION, HealthScope
from matching.health.table import EXPERT_LEVEL
from matching.views import Views

DEFAULT_BUS_FACTOR = 2


@dataclass(frozen=True)
class SkillBalance:
    """Supply and demand of one skill."""

    skill: str
    holders: int
    supply: int
    demand: int

    @property
    def gap(self) -> int:
        """Demand beyond supply; negative when teachers outnumber learners."""
        return self.demand - self.supply


@dataclass(frozen=True)
class SkillHealth:
    """Supply and demand of every tracked skill, and the skills that need attention."""

    balances: tuple[SkillBalance, ...]
    """Every tracked skill, largest gap first."""
    bus_factor: int
    at_risk: tuple[str, ...]
    """Skills with supply below the bus factor, most wanted first."""
    unteachable: tuple[str, ...]
    """Skills wanted and held at teaching level by nobody, most wanted first."""
    goals: int
    """Learning goals (person, skill) in scope."""
    goals_unteachable: int
    """Those of them whose skill is unteachable."""

    @property
    def goals_unteachable_share(self) -> float:
        """Unteachable goals over all goals."""
        return share(self.goals_unteachable, self.goals)


def skill_health(
    views: Views,
    scope: HealthScope = ORGANISATION,
    *,
    bus_factor: int = DEFAULT_BUS_FACTOR,
) -> SkillHealth:
    """Supply, demand, bus factor and unteachable skills among the people in ``scope``."""
    population = views.population
    if scope.everyone:  # kept by the table as profiles change
        table = population.table
        holders, supply, demand = table.holders, table.experts, table.demand
    else:
        people = population.in_scope(scope)
        # One count over everyone at a time (Counter's C loop), not an update per person.
        holders = Counter(chain.from_iterable(p.skills for p in people))
        supply = Counter(
            k for p in people for k, level in p.skills.items() if level >= EXPERT_LEVEL
        )
        demand = Counter(chain.from_iterable(p.goals for p in people))
    balances = sorted(
        (SkillBalance(k, holders[k], supply[k], demand[k]) for k in holders.keys() | demand.keys()),
        key=lambda b: (-b.gap, -b.demand, b.skill),
    )
    by_demand = sorted(balances, key=lambda b: (-b.demand, b.supply, b.skill))
    unteachable = tuple(b.skill for b in by_demand if b.demand and not b.supply)
    return SkillHealth(
        balances=tuple(balances),
        bus_factor=bus_factor,
        at_risk=tuple(b.skill for b in by_demand if b.supply < bus_factor),
        unteachable=unteachable,
        goals=sum(demand.values()),
        goals_unteachable=sum(demand[k] for k in unteachable),
    )
