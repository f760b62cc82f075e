"""Growth-path benchmark: readiness of everyone, journeys, bench strength, at 50,000 people.

    python benchmarks/paths.py                   # 50,000 people, 5 runs
    python benchmarks/paths.py --people 2000     # smoke run

The read model is built in memory, ``ReadModel.build(graph_data(org))`` with
``org = generate_organisation(people=N, seed=7)``: no store is written. Then, medians of
``--repeat`` runs (the mentor index, a view the service keeps, is built once first):

* **readiness, all people, one role** (Team Lead): :func:`matching.paths.readiness_of_everyone`,
  against the plain Python loop of :func:`matching.paths.readiness` over every person
  (the baseline, once; the two must agree).
* **journey**: :func:`readmodel.paths.growth_path` (readiness, gap, steps, three mentors and a
  squad and a community per step, progress) for ``--journeys`` people drawn with a fixed seed,
  each towards their target role or Team Lead: median and p95.
* **bench strength, every role**, each with its by-site and by-function counts; and every role
  for every site as its own scope (what HR's per-site pages ask).
* successors of every team lead, and the promotion-trap list.

Targets at 50,000: readiness of everyone ≤ 1 s, journey p95 ≤ 20 ms, bench strength for every
role and site ≤ 2 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Run as a script, this folder comes first on sys.path, and benchmarks/matching.py would
# shadow the `matching` package: take it off, and put the project root first.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p).resolve() != _HERE]

from graph.organisation import graph_data  # noqa: E402
from graph.seed import generate_organisation  # noqa: E402
from matching import paths as rules  # noqa: E402
from matching.mentoring import Scope  # noqa: E402
from readmodel import paths as growth  # noqa: E402
from readmodel.store import ReadModel  # noqa: E402


def timed(work: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median seconds of ``repeat`` runs of ``work``, and its last result."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(args: argparse.Namespace) -> None:
    rows: list[tuple[str, str, str]] = []

    def row(what: str, seconds: float, target: str = "") -> None:
        rows.append((what, f"{seconds * 1000:,.1f} ms", target))
        print(f"{what:<58} {seconds * 1000:>12,.1f} ms  {target}", flush=True)

    start = time.perf_counter()
    model = ReadModel.build(graph_data(generate_organisation(people=args.people, seed=7)))
    row(f"build the read model ({args.people:,} people)", time.perf_counter() - start)
    start = time.perf_counter()
    index = model.mentor_index
    row("build the mentor index (once; kept as a view)", time.perf_counter() - start)

    lead = model.roles["team lead"]
    needs = growth.role_needs(lead)
    seconds, value = timed(lambda: rules.readiness_of_everyone(index, needs), args.repeat)
    row("readiness of everyone, one role (numpy)", seconds, "≤ 1,000 ms")
    start = time.perf_counter()
    loop = [rules.readiness(model.people[pid].skills, needs) for pid in index.ids]
    row("  baseline: the same in a Python loop", time.perf_counter() - start)
    worst = max(abs(a - b) for a, b in zip(loop, value.tolist(), strict=True))
    print(f"  largest difference from the loop: {worst:.2e}")
    assert worst < 1e-12

    rng = random.Random(11)
    chosen = rng.sample(sorted(model.people), min(args.journeys, len(model.people)))
    growth.growth_path(model, chosen[0], lead)  # warm the teachers' lists, as a served process
    times = []
    steps = mentors = 0
    for pid in chosen:
        person = model.people[pid]
        role = model.roles.get(person.target_role or "", lead)
        start = time.perf_counter()
        found = growth.growth_path(model, pid, role)
        times.append(time.perf_counter() - start)
        steps += len(found.steps)
        mentors += sum(len(s.mentors) for s in found.steps)
    times.sort()
    row(f"journey, median of {len(times)} people", statistics.median(times))
    row(f"journey, p95 of {len(times)} people", times[int(0.95 * (len(times) - 1))], "≤ 20 ms")
    print(f"  {steps / len(times):.1f} steps and {mentors / len(times):.1f} mentors a journey")

    def every_role() -> int:
        return sum(len(growth.bench(model, r, Scope()).by_site) for r in model.roles.values())

    seconds, _ = timed(every_role, args.repeat)
    row("bench strength, every role (by site and function)", seconds, "≤ 2,000 ms")
    sites = sorted({p.site for p in model.people.values()})

    def every_role_and_site() -> int:
        return sum(
            growth.bench(model, r, Scope(site=s)).overall.total
            for r in model.roles.values()
            for s in sites
        )

    seconds, _ = timed(every_role_and_site, args.repeat)
    row(f"bench strength, {len(model.roles)} roles × {len(sites)} sites as scopes", seconds,
        "≤ 2,000 ms")  # fmt: skip
    seconds, found = timed(lambda: growth.successions(model, Scope()), args.repeat)
    row(f"successors of every team lead ({len(found):,})", seconds)
    seconds, found = timed(lambda: growth.promotion_traps(model, Scope()), args.repeat)
    row(f"promotion trap, every lead ({len(found):,} below profile)", seconds)

    print("\n| measure | median | target |\n|---|---:|---|")
    for what, took, target in rows:
        print(f"| {what} | {took} | {target} |")


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--journeys", type=int, default=200)
    return parser.parse_args()


if __name__ == "__main__":
    main(parse_args())
