"""What one changed person costs the projection refresh: today's export against the OPTIONAL MATCH form.

    python benchmarks/refresh.py                 # 10,000 people, 200 changed people
    python benchmarks/refresh.py --people 2000 --samples 50

After every write, each process re-reads the people the change names
(:func:`graph.export.export_graph` with ``people=[…]``). The baseline, in the same run,
reads the same people with the statements that export used before: ``OPTIONAL MATCH``
from the bound person for team and manager, one statement per relationship type, and
the mentorships matched from both ends with ``WHERE mentor.id IN $ids OR mentee.id IN
$ids``. On ArcadeDB those scan every relationship of the type. Both must return the
same records; the script checks that for every sample. Reports medians and p95.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p).resolve() != _HERE]

from rich.console import Console  # noqa: E402

from benchmarks._report import Report  # noqa: E402
from benchmarks._service import percentile  # noqa: E402
from graph.embedded import EmbeddedArcadeDB  # noqa: E402
from graph.export import export_graph  # noqa: E402
from graph.organisation import write_organisation  # noqa: E402
from graph.schema import ensure_schema  # noqa: E402
from graph.seed import generate_organisation  # noqa: E402
from graph.store import Store, Tx, run  # noqa: E402

console = Console()

_OLD_PERSON = (
    "MATCH (p:Person) WHERE p.id IN $ids OPTIONAL MATCH (p)-[:MEMBER_OF]->(t:Team) "
    "OPTIONAL MATCH (p)-[:REPORTS_TO]->(m:Person) "
    "RETURN p.id AS id, properties(p) AS props, t.id AS team, m.id AS manager"
)
_OLD_PER_TYPE = {
    "skills": "MATCH (p:Person)-[h:HAS_SKILL]->(s:Skill) WHERE p.id IN $ids "
    "RETURN p.id AS id, collect([s.key, h.level]) AS items",
    "goals": "MATCH (p:Person)-[w:WANTS_TO_LEARN]->(s:Skill) WHERE p.id IN $ids "
    "RETURN p.id AS id, collect([s.key, w.priority]) AS items",
    "squads": "MATCH (p:Person)-[r:IN_SQUAD]->(q:Squad) WHERE p.id IN $ids "
    "RETURN p.id AS id, collect([q.id, r.role, r.joined_at]) AS items",
    "communities": "MATCH (p:Person)-[r:IN_COMMUNITY]->(c:Community) WHERE p.id IN $ids "
    "RETURN p.id AS id, collect([c.id, r.joined_at]) AS items",
    "moderates": "MATCH (p:Person)-[:MODERATES]->(c:Community) WHERE p.id IN $ids "
    "RETURN p.id AS id, collect(c.id) AS items",
}
_OLD_MENTORSHIPS = (
    "MATCH (mentor:Person)-[:MENTOR_IN]->(m:Mentorship)<-[:MENTEE_IN]-(mentee:Person) "
    "WHERE mentor.id IN $ids OR mentee.id IN $ids OPTIONAL MATCH (m)-[:FOCUSES_ON]->(s:Skill) "
    "RETURN m.id AS id, mentor.id AS mentor, mentee.id AS mentee, m.status AS status, "
    "collect(s.key) AS focus"
)


async def old_export(tx: Tx, ids: list[str]) -> dict[str, Any]:
    """The same people and mentorships, read as export did before (the baseline)."""
    rows = await run(tx, _OLD_PERSON, ids=ids)
    found: dict[str, Any] = {
        r["id"]: {"team": r["team"], "manager": r["manager"], "props": r["props"]} for r in rows
    }
    for name, query in _OLD_PER_TYPE.items():
        items = {r["id"]: r["items"] for r in await run(tx, query, ids=ids)}
        for pid, person in found.items():
            person[name] = items.get(pid, [])
    mentorships = await run(tx, _OLD_MENTORSHIPS, ids=ids)
    return {
        "people": found,
        "mentorships": sorted((m["id"], m["mentor"], m["mentee"], m["status"],
                               tuple(sorted(m["focus"]))) for m in mentorships),
    }  # fmt: skip


async def new_export(tx: Tx, ids: list[str]) -> dict[str, Any]:
    """Today's partial export, in the baseline's shape to compare the two."""
    data = await export_graph(tx, people=ids, squads=(), communities=())
    people = {
        p.id: {
            "team": p.team, "manager": p.manager, "skills": sorted(p.skills.items()),
            "goals": sorted(p.goals.items()), "squads": sorted(p.squads),
            "communities": sorted(p.communities), "moderates": sorted(p.moderates),
        }
        for p in data.people
    }  # fmt: skip
    mentorships = sorted((m.id, m.mentor, m.mentee, m.status, m.focus) for m in data.mentorships)
    return {"people": people, "mentorships": mentorships}


def comparable(old: dict[str, Any]) -> dict[str, Any]:
    """The baseline's answer in :func:`new_export`'s shape."""
    people = {
        pid: {
            "team": p["team"], "manager": p["manager"],
            "skills": sorted((k, int(v)) for k, v in p["skills"]),
            "goals": sorted((k, int(v)) for k, v in p["goals"]),
            "squads": sorted(q for q, *_ in p["squads"]),
            "communities": sorted(c for c, _ in p["communities"]),
            "moderates": sorted(p["moderates"]),
        }
        for pid, p in old["people"].items()
    }  # fmt: skip
    return {"people": people, "mentorships": old["mentorships"]}


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="skillweave-refresh-") as folder:
        embedded = EmbeddedArcadeDB(Path(folder) / "data", heap="4g")
        store = await Store.connect(embedded.start())
        try:
            await ensure_schema(store)
            console.print(f"seeding {args.people:,} people ...")
            org = generate_organisation(people=args.people, seed=7)
            await write_organisation(store, org, create=True)
            rng = random.Random(args.seed)
            mentored = sorted(
                {m.mentee_id for m in org.mentorships} | {m.mentor_id for m in org.mentorships}
            )
            everyone = [p.id for p in org.people]
            # half the samples are in a mentorship, as the people writes touch often are
            samples = [[rng.choice(mentored if k % 2 else everyone)] for k in range(args.samples)]
            timings: dict[str, list[float]] = {"today": [], "OPTIONAL MATCH form": []}
            for ids in samples:
                for name, read in (("today", new_export), ("OPTIONAL MATCH form", old_export)):
                    started = time.perf_counter()
                    answer = await store.read(read, ids)
                    timings[name].append((time.perf_counter() - started) * 1000)
                    if name == "today":
                        today = answer
                if comparable(answer) != today:
                    raise SystemExit(f"the two reads disagree for {ids}: {answer} vs {today}")
        finally:
            await store.close()
            embedded.stop()
    report = Report(console)
    report.heading(f"Refreshing one changed person: {args.people:,} people, {args.samples} samples")
    base = statistics.median(timings["OPTIONAL MATCH form"])
    report.table(
        "Read of one changed person (ms, in one read transaction, loopback Bolt)",
        ["read", "p50", "p95", "p50 vs baseline"],
        [[name, f"{statistics.median(v):.1f}", f"{percentile(v, 0.95):.1f}",
          f"{statistics.median(v) / base:.2f}x"] for name, v in timings.items()],
        notes=["both reads returned the same records for every sample"],
    )  # fmt: skip
    if args.markdown:
        report.save(args.markdown)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--markdown", default=str(_HERE / "results" / "refresh.md"))
    asyncio.run(main(parser.parse_args()))
