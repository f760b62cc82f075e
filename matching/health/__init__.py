"""Network health for HR: how well learning flows, as pure functions of the projection.

Every number is computed from the same projection the matcher uses, for the whole
organisation or a :class:`HealthScope` (a site, team or function). One module per
concern, each callable alone and defining its metrics in its docstring:

- :mod:`~matching.health.reach`: isolated people, and goal coverage;
- :mod:`~matching.health.load`: mentor load against capacity, its Gini, pending requests;
- :mod:`~matching.health.skills`: supply against demand, bus factor, unteachable skills;
- :mod:`~matching.health.ties`: ties across teams, functions and sites, and silo teams;
- :mod:`~matching.health.reciprocity`: peer exchanges among mentoring pairs;
- :mod:`~matching.health.groups`: squads and communities, growth and inactivity;
- :mod:`~matching.health.brokers`: knowledge brokers by betweenness (igraph);
- :mod:`~matching.health.clusters`: Louvain clusters of the tie graph, modularity;
- :mod:`~matching.health.impact`: mentoring impact against comparable people, ratings, answers.

:func:`network_health` runs them all; :func:`flatten` turns a report into stable
columns for snapshots and CSV (:data:`COLUMNS` defines each one).

Example::

    health = network_health(views, HealthScope(site="Cebu"), heavy=False)
    flatten(health)["reach.goal_coverage"]
"""

from matching.health.brokers import Betweenness, Broker, Brokers, betweenness, knowledge_brokers
from matching.health.clusters import TieClusters, tie_clusters
from matching.health.columns import COLUMNS, IMPACT_COLUMNS, Column, definitions_markdown, flatten
from matching.health.groups import GroupHealth, GroupKindHealth, GroupSummary, Growth, group_health
from matching.health.impact import (
    GainComparison,
    Impact,
    ImpactCell,
    ImpactSource,
    LevelChangeLike,
    MentorshipLike,
    PersonLike,
    Ratings,
    Responses,
    level_at,
    mentorship_impact,
)
from matching.health.load import MentorLoad, mentor_load
from matching.health.reach import Reach, learning_reach
from matching.health.reciprocity import Reciprocity, peer_reciprocity
from matching.health.report import NetworkHealth, network_health
from matching.health.scope import ORGANISATION, HealthScope
from matching.health.skills import SkillBalance, SkillHealth, skill_health
from matching.health.ties import TeamTies, TieMix, tie_mix

__all__ = [
    "COLUMNS",
    "IMPACT_COLUMNS",
    "ORGANISATION",
    "Betweenness",
    "Broker",
    "Brokers",
    "Column",
    "GainComparison",
    "GroupHealth",
    "GroupKindHealth",
    "GroupSummary",
    "Growth",
    "HealthScope",
    "Impact",
    "ImpactCell",
    "ImpactSource",
    "LevelChangeLike",
    "MentorLoad",
    "MentorshipLike",
    "NetworkHealth",
    "PersonLike",
    "Ratings",
    "Reach",
    "Reciprocity",
    "Responses",
    "SkillBalance",
    "SkillHealth",
    "TeamTies",
    "TieClusters",
    "TieMix",
    "betweenness",
    "definitions_markdown",
    "flatten",
    "group_health",
    "knowledge_brokers",
    "learning_reach",
    "level_at",
    "mentor_load",
    "mentorship_impact",
    "network_health",
    "peer_reciprocity",
    "skill_health",
    "tie_clusters",
    "tie_mix",
]
