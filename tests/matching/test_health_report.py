"""The whole report: every group from one projection, flat stable columns, documented."""

from __future__ import annotations

import inspect
import math
from pathlib import Path

import matching.health as health
from matching.health import (
    COLUMNS,
    HealthScope,
    definitions_markdown,
    flatten,
    network_health,
)
from tests.matching.test_health import AS_OF, org

DOCS = Path(__file__).parents[2] / "docs" / "health.md"


def test_report_holds_every_group() -> None:
    h = network_health(org(), as_of=AS_OF)
    assert h.people == 9 and h.as_of == AS_OF
    assert h.reach.isolated == ("g", "h", "i") and h.load.over_capacity == ("a",)
    assert h.brokers is not None and [b.id for b in h.brokers.people] == ["a"]
    assert h.clusters is not None and h.clusters.modularity > 0
    flat = flatten(h)
    assert list(flat) == [c.name for c in COLUMNS]
    assert flat["people"] == 9 and flat["reach.isolated"] == 3
    assert flat["reach.goal_coverage"] == 2 / 7 and flat["load.gini"] == 0.75
    assert flat["load.pending_median_days"] == 3.0 and flat["skills.unteachable"] == 2
    assert flat["ties.cross_team_share"] == 0.8 and flat["reciprocity.exchanges"] == 2
    assert (
        flat["squads.inactive"] == 1
        and flat["communities.joined_30d"] != flat["communities.joined_30d"]
    )  # NaN: no community membership is dated
    assert flat["brokers.count"] == 1 and flat["brokers.cutoff"] == 0
    assert all(isinstance(v, int | float) for v in flat.values())


def test_light_report_keeps_the_columns() -> None:
    h = network_health(org(), HealthScope(site="A"), heavy=False, as_of=AS_OF)
    assert h.brokers is None and h.clusters is None
    flat = flatten(h)
    assert list(flat) == [c.name for c in COLUMNS]
    assert flat["people"] == 4 and flat["ties.cross_scope"] == 3
    assert all(math.isnan(v) for k, v in flat.items() if k.startswith(("brokers.", "clusters.")))


def test_same_projection_same_report() -> None:
    projection = org()
    assert flatten(network_health(projection, as_of=AS_OF, seed=5)) == flatten(
        network_health(projection, as_of=AS_OF, seed=5)
    )


def test_columns_are_unique_and_defined() -> None:
    names = [c.name for c in COLUMNS]
    assert len(names) == len(set(names))
    assert all(c.definition.endswith(".") and len(c.definition) < 100 for c in COLUMNS)


def test_docs_list_every_column_with_its_definition() -> None:
    assert definitions_markdown() in DOCS.read_text(), (
        "docs/health.md is out of date: paste matching.health.definitions_markdown() into it"
    )


def test_all_lists_exactly_the_public_names() -> None:
    public = {
        name
        for name, value in vars(health).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert set(health.__all__) == public
