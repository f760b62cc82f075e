"""The scalar metrics as flat, stable columns, each with its one-line definition.

:func:`flatten` gives snapshots and CSV exports the same columns in the same order
every time; a metric that could not be computed (no dated requests, ``heavy=False``)
is NaN rather than missing. :data:`COLUMNS` is the single list of names and
definitions: ``docs/health.md`` is written from :func:`definitions_markdown`, and a
test holds the two equal.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from matching.health.groups import GroupKindHealth
from matching.health.impact import Impact
from matching.health.report import NetworkHealth

Value = float | int


@dataclass(frozen=True)
class Column:
    """One scalar metric: its stable name, its definition, and how to read it."""

    name: str
    definition: str
    read: Callable[[NetworkHealth], Value | None]


def _groups(kind: str, label: str) -> list[Column]:
    def of(h: NetworkHealth) -> GroupKindHealth:
        return h.groups.squads if kind == "squads" else h.groups.communities

    return [
        Column(f"{kind}.count", f"{label} with at least one member in scope.",
               lambda h: len(of(h).groups)),
        Column(f"{kind}.active", f"Those of the {label} not inactive.", lambda h: of(h).active),
        Column(f"{kind}.inactive", "Archived squads." if kind == "squads"
               else "Communities under 3 members or quiet for over 90 days.",
               lambda h: len(of(h).inactive)),
        Column(f"{kind}.mean_size", f"Mean members of the active {label}.",
               lambda h: of(h).mean_size),
        Column(f"{kind}.mean_functions", f"Mean distinct functions among members of active {label}.",
               lambda h: of(h).mean_functions),
        Column(f"{kind}.cross_functional_share", f"Active {label} mixing two functions or more.",
               lambda h: of(h).cross_functional_share),
        Column(f"{kind}.joined_30d", f"Memberships of {label} begun in the last 30 days (NaN: undated).",
               lambda h: of(h).growth.joined_30d),
        Column(f"{kind}.joined_90d", f"Memberships of {label} begun in the last 90 days (NaN: undated).",
               lambda h: of(h).growth.joined_90d),
        Column(f"{kind}.created_30d", f"{label.capitalize()} created in the last 30 days (NaN: undated).",
               lambda h: of(h).growth.created_30d),
        Column(f"{kind}.created_90d", f"{label.capitalize()} created in the last 90 days (NaN: undated).",
               lambda h: of(h).growth.created_90d),
    ]  # fmt: skip


def _impact(name: str, definition: str, read: Callable[[Impact], Value | None]) -> Column:
    return Column(f"impact.{name}", definition, lambda h: read(h.impact) if h.impact else None)


IMPACT_COLUMNS: tuple[Column, ...] = (
    _impact("items", "Focus skills of mentorships that became active, mentee in scope.",
            lambda i: i.items),
    _impact("compared", "Of those, items with 5+ comparable people (docs/health.md, Impact).",
            lambda i: i.during.items),
    _impact("left_out", "Items left out: fewer than 5 comparable people.", lambda i: i.left_out),
    _impact("mentored_gain", "Mean level gain of compared items, start to end (NaN: none).",
            lambda i: i.during.mentored_gain),
    _impact("comparison_gain", "Mean level gain of their comparable people, same windows.",
            lambda i: i.during.comparison_gain),
    _impact("difference", "Mentored gain minus comparison gain (not a causal effect).",
            lambda i: i.during.difference),
    _impact("after_compared", "Compared items of mentorships ended 90+ days ago.",
            lambda i: i.after.items),
    _impact("after_mentored_gain", "Their mean level gain from start to 90 days after the end.",
            lambda i: i.after.mentored_gain),
    _impact("after_comparison_gain", "Mean gain of their comparable people, same windows.",
            lambda i: i.after.comparison_gain),
    _impact("after_difference", "Mentored minus comparison gain, 90 days after the end.",
            lambda i: i.after.difference),
    _impact("ratings", "Ratings of ended mentorships, mentee in scope.", lambda i: i.ratings.count),
    _impact("rating_mean", "Mean rating (1-5) of those (NaN: none).", lambda i: i.ratings.mean),
    _impact("answered_share", "Requests answered over answered and expired, mentee in scope.",
            lambda i: i.responses.answered_share),
    _impact("response_median_hours", "Median hours from request to answer (NaN: none).",
            lambda i: i.responses.median_hours),
    _impact("response_p90_hours", "90th percentile of hours from request to answer (NaN: none).",
            lambda i: i.responses.p90_hours),
)  # fmt: skip
"""The mentoring-impact columns: NaN in a report computed without the impact input."""


COLUMNS: tuple[Column, ...] = (
    Column("people", "People in scope.", lambda h: h.people),
    Column("reach.isolated", "People with no active mentorship, live squad or community.",
           lambda h: len(h.reach.isolated)),
    Column("reach.isolated_share", "Isolated people over people in scope.",
           lambda h: h.reach.isolated_share),
    Column("reach.with_goals", "People with at least one learning goal.",
           lambda h: h.reach.with_goals),
    Column("reach.covered", "People with a goal covered by an active mentor or a live squad.",
           lambda h: h.reach.covered),
    Column("reach.goal_coverage", "Covered people over people with goals.",
           lambda h: h.reach.goal_coverage),
    Column("load.mentors", "People open to mentoring with capacity, or mentoring actively.",
           lambda h: h.load.mentors),
    Column("load.capacity", "Summed mentoring capacity of the mentors.", lambda h: h.load.capacity),
    Column("load.active", "Active mentorships held by the mentors.", lambda h: h.load.active),
    Column("load.utilisation", "Active mentorships over summed capacity.",
           lambda h: h.load.utilisation),
    Column("load.over_capacity", "Mentors with more active mentorships than capacity (want 0).",
           lambda h: len(h.load.over_capacity)),
    Column("load.over_capacity_share", "Mentors over capacity over mentors (want 0).",
           lambda h: h.load.over_capacity_share),
    Column("load.gini", "Gini coefficient of active mentorships across mentors.",
           lambda h: h.load.gini),
    Column("load.pending", "Requests awaiting an answer from mentors in scope.",
           lambda h: h.load.pending),
    Column("load.pending_dated", "Pending requests that record when they were made.",
           lambda h: len(h.load.pending_ages)),
    Column("load.pending_median_days", "Median age in days of dated pending requests (NaN: none).",
           lambda h: h.load.pending_median_days),
    Column("load.pending_oldest_days", "Age in days of the oldest dated pending request (NaN: none).",
           lambda h: h.load.pending_oldest_days),
    Column("skills.tracked", "Skills held at any level or wanted by someone in scope.",
           lambda h: len(h.skills.balances)),
    Column("skills.at_risk", "Tracked skills held at level 4+ by fewer than the bus factor (2).",
           lambda h: len(h.skills.at_risk)),
    Column("skills.unteachable", "Skills wanted in scope that nobody in scope holds at level 4+.",
           lambda h: len(h.skills.unteachable)),
    Column("skills.goals", "Learning goals (person, skill) in scope.", lambda h: h.skills.goals),
    Column("skills.goals_unteachable_share", "Goals whose skill is unteachable, over all goals.",
           lambda h: h.skills.goals_unteachable_share),
    Column("ties.within", "Ties (active/ended mentorship or shared squad) with both people in scope.",
           lambda h: h.ties.within),
    Column("ties.cross_team_share", "Ties within scope joining two teams, over ties within scope.",
           lambda h: h.ties.cross_team_share),
    Column("ties.cross_function_share", "Ties within scope joining two functions, over those ties.",
           lambda h: h.ties.cross_function_share),
    Column("ties.cross_site_share", "Ties within scope joining two sites, over those ties.",
           lambda h: h.ties.cross_site_share),
    Column("ties.cross_scope", "Ties with exactly one person in scope.", lambda h: h.ties.cross_scope),
    Column("ties.teams", "Teams with people in scope.", lambda h: len(h.ties.teams)),
    Column("ties.silos", "Teams (2+ people) with no outside tie or fewer outside ties than inside.",
           lambda h: len(h.ties.silos)),
    Column("reciprocity.pairs", "Pairs in scope with an active or ended mentorship either way.",
           lambda h: h.reciprocity.pairs),
    Column("reciprocity.mutual", "Of those, pairs with such a mentorship each way.",
           lambda h: h.reciprocity.mutual),
    Column("reciprocity.exchanges", "Pairs where both teach: mutual, or mentee holds a mentor goal at 4+.",
           lambda h: len(h.reciprocity.exchanges)),
    Column("reciprocity.share", "Peer exchanges over mentoring pairs.",
           lambda h: h.reciprocity.share),
    *_groups("squads", "squads"),
    *_groups("communities", "communities"),
    Column("brokers.count", "Brokers listed: top 1% of people in scope by betweenness (NaN: light).",
           lambda h: len(h.brokers.people) if h.brokers else None),
    Column("brokers.top_betweenness", "Normalised betweenness of the first broker (NaN: none).",
           lambda h: h.brokers.people[0].betweenness if h.brokers and h.brokers.people else None),
    Column("brokers.cutoff", "Path-length cutoff betweenness used; 0 when exact (NaN: light).",
           lambda h: (h.brokers.cutoff or 0) if h.brokers else None),
    Column("clusters.count", "Louvain clusters of the tie graph with people (NaN: light).",
           lambda h: len(h.clusters.clusters) if h.clusters else None),
    Column("clusters.largest", "People in the largest cluster (NaN: light).",
           lambda h: h.clusters.largest if h.clusters else None),
    Column("clusters.mean_size", "Mean people per cluster (NaN: light).",
           lambda h: h.clusters.mean_size if h.clusters else None),
    Column("clusters.modularity", "Weighted modularity of the clusters in the tie graph (NaN: light).",
           lambda h: h.clusters.modularity if h.clusters else None),
    *IMPACT_COLUMNS,
)  # fmt: skip
"""Every column, in export order."""


def flatten(health: NetworkHealth) -> dict[str, Value]:
    """The scalar metrics of ``health`` as ``{column: value}``, in :data:`COLUMNS` order."""
    flat: dict[str, Value] = {}
    for column in COLUMNS:
        value = column.read(health)
        flat[column.name] = math.nan if value is None else value
    return flat


def definitions_markdown() -> str:
    """The columns and their definitions as a Markdown table, for ``docs/health.md``."""
    rows = [f"| `{c.name}` | {c.definition} |" for c in COLUMNS]
    return "\n".join(["| column | definition |", "|---|---|", *rows]) + "\n"
