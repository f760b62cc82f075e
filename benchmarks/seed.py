"""Seed benchmark: the batched writer against one query per row, in the same run.

    python benchmarks/seed.py                # 50,000 people, 3 runs, 2,000-person baseline
    python benchmarks/seed.py --people 5000 --repeat 1

Each run seeds a fresh embedded store (one transaction, UNWIND batches). The
baseline writes a 2,000-person slice of the same organisation with one
auto-committed Cypher statement per row (a person, a skill level, a goal, a
team or manager link). Reports medians; the target is 50,000 people in under 60 s.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from graph.embedded import EmbeddedArcadeDB
from graph.organisation import Organisation, delete_everything, write_organisation
from graph.people import person_params
from graph.seed import generate_organisation
from graph.store import Store

console = Console()


def child_peak_rss_mb(embedded: EmbeddedArcadeDB) -> float:
    """Peak resident memory of the embedded store's process (VmHWM), in MB."""
    process = embedded._process
    if process is None:
        return float("nan")
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def relationships(org: Organisation) -> int:
    links = sum(len(p.skills) + len(p.goals) + (p.team_id is not None) + (p.manager_id is not None)
                for p in org.people)  # fmt: skip
    links += sum(2 + len(m.focus_skills) for m in org.mentorships)
    links += sum(len(q.members) + len(q.focus_skills) for q in org.squads)
    links += sum(
        len(c.member_ids) + len(c.moderator_ids) + len(c.topic_skills) for c in org.communities
    )
    return links


async def reset(store: Store) -> None:
    await delete_everything(store, batch=10000)


async def batched(store: Store, people: int, seed: int) -> dict[str, float]:
    await reset(store)
    start = time.perf_counter()
    org = generate_organisation(people=people, seed=seed)
    generated = time.perf_counter()
    await write_organisation(store, org, create=True)
    done = time.perf_counter()
    rels = relationships(org)
    rows = len(org.people) + rels
    return {
        "wall": done - start,
        "generate": generated - start,
        "write": done - generated,
        "relationships": rels,
        "rels_per_s": rels / (done - generated),
        "rows_per_s": rows / (done - generated),
    }


async def one_query_per_row(store: Store, org: Organisation) -> dict[str, float]:
    """The naive writer: every person and every relationship is its own statement."""
    await reset(store)
    await write_organisation(store, Organisation(skills=org.skills, teams=org.teams), create=True)
    start = time.perf_counter()
    rows = 0
    for person in org.people:
        params = person_params(person)
        await store.query("CREATE (p:Person) SET p = $props", props=params["props"])
        await store.query(
            "MATCH (p:Person {id: $id}) MATCH (t:Team {id: $team}) CREATE (p)-[:MEMBER_OF]->(t)",
            id=person.id, team=person.team_id,
        )  # fmt: skip
        rows += 2
        for skill in person.skills:
            await store.query(
                "MATCH (p:Person {id: $id}) MATCH (s:Skill {key: $key}) "
                "CREATE (p)-[:HAS_SKILL {level: $level}]->(s)",
                id=person.id, key=skill.skill, level=skill.level,
            )  # fmt: skip
            rows += 1
        for goal in person.goals:
            await store.query(
                "MATCH (p:Person {id: $id}) MATCH (s:Skill {key: $key}) "
                "CREATE (p)-[:WANTS_TO_LEARN {priority: $priority}]->(s)",
                id=person.id, key=goal.skill, priority=goal.priority,
            )  # fmt: skip
            rows += 1
    seconds = time.perf_counter() - start
    return {"wall": seconds, "rows": rows, "rows_per_s": rows / seconds}


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="skillweave-bench-") as folder:
        embedded = EmbeddedArcadeDB(Path(folder) / "data", heap=args.heap)
        endpoint = embedded.start()
        store = await Store.connect(endpoint)
        from graph.schema import ensure_schema

        await ensure_schema(store)
        runs = []
        for i in range(args.repeat):
            result = await batched(store, args.people, args.seed)
            runs.append(result)
            console.print(
                f"run {i + 1}: {result['wall']:.1f} s wall, {result['rels_per_s']:,.0f} relationships/s"
            )
        slice_org = generate_organisation(people=args.baseline_people, seed=args.seed)
        baseline = await one_query_per_row(store, slice_org)
        slice_batched = await batched(store, args.baseline_people, args.seed)
        jvm_peak = child_peak_rss_mb(embedded)
        await store.close()
        embedded.stop()

    py_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    table = Table(
        title=f"Seeding {args.people:,} people into the embedded store (median of {args.repeat})"
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("wall time (generate + write)", f"{med['wall']:.1f} s")
    table.add_row("  generate in Python", f"{med['generate']:.1f} s")
    table.add_row("  write (one transaction)", f"{med['write']:.1f} s")
    table.add_row("relationships written", f"{med['relationships']:,.0f}")
    table.add_row("relationships per second", f"{med['rels_per_s']:,.0f}")
    table.add_row("rows (nodes + relationships) per second", f"{med['rows_per_s']:,.0f}")
    table.add_row("peak memory, this process", f"{py_peak:,.0f} MB")
    table.add_row("peak memory, embedded store (JVM)", f"{jvm_peak:,.0f} MB")
    table.add_row("target: under 60 s", "met" if med["wall"] < 60 else "MISSED")
    console.print(table)

    compare = Table(title=f"Baseline: {args.baseline_people:,}-person slice, same run")
    compare.add_column("writer")
    compare.add_column("wall", justify="right")
    compare.add_column("rows/s", justify="right")
    compare.add_row(
        "one query per row", f"{baseline['wall']:.1f} s", f"{baseline['rows_per_s']:,.0f}"
    )
    compare.add_row(
        "batched, same slice",
        f"{slice_batched['write']:.2f} s",
        f"{slice_batched['rows_per_s']:,.0f}",
    )
    compare.add_row(
        f"batched, {args.people:,} people (median)",
        f"{med['write']:.1f} s",
        f"{med['rows_per_s']:,.0f}",
    )
    console.print(compare)
    console.print(
        f"ratio of rows/s, batched {args.people:,} vs one query per row: "
        f"[bold]{med['rows_per_s'] / baseline['rows_per_s']:.1f}x[/bold]; "
        f"same {args.baseline_people:,}-person slice: "
        f"[bold]{slice_batched['rows_per_s'] / baseline['rows_per_s']:.1f}x[/bold]"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--baseline-people", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--heap", default="4g")
    asyncio.run(main(parser.parse_args()))
