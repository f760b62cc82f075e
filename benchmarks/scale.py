"""Scale benchmark: one API worker over a large organisation, the baseline beside it, one run.

    python benchmarks/scale.py --people 50000                     # embedded, baseline 7695f59
    python benchmarks/scale.py --people 300000 --store neo4j
    python benchmarks/scale.py --people 50000 --baseline HEAD     # this tree against its commit

Seeds a fresh store once (``write_organisation``, in batches above 10,000 people; the
generation and the write timed apart). Then, for the baseline revision (checked out into a
temporary ``git worktree``) and for this working tree, on the same store, in turn: runs
``skillweave serve`` (``python -m api.cli serve``, this venv, ``PYTHONPATH`` at the
revision's tree, ``NEO4J_*`` at the seeded store; one uvicorn worker, which is the serve
process itself) and measures

- **start to ready**: process start to ``/readyz`` 200; the lifespan loads the projection
  before uvicorn opens its port, so ready means loaded;
- **start from a checkpoint** (a revision with ``readmodel/checkpoint.py``): the first start
  saves the read model (``SKILLWEAVE_CHECKPOINT_DIR``); after the measures below, which leave
  the graph some writes ahead, a second start reads it and then the changes since; its start to
  ready and memory (a baseline without checkpoints shows its plain start in those rows);
- **resident memory** (psutil RSS) of the worker when ready, and after one
  ``mentorSuggestions`` and one organisation ``networkHealth`` (and its background brokers
  and clusters, waited for);
- **refresh after one write**: another connection commits ``setSkill`` for a person, then
  ``{ me { id } }`` is sent naming the new graph version (``X-Skillweave-Version``, as a
  client that wrote elsewhere does; revisions without versions check on every request); its
  latency less that of the same query with nothing changed (medians over ``--writes``) is
  the time the worker took to apply the write (the change-log read, the changed people's
  read, the replacement);
- **single requests** from one client, ``--single`` each: ``{ __typename }``, ``me``, a
  profile with skills and goals, ten suggestions: p50 latency and the worker's CPU per
  request (psutil ``cpu_times``);
- **the ``benchmarks/load.py`` mix**, ``--clients`` back to back for ``--seconds``: requests/s,
  p95, and the worker's CPU per request;
- **in process** (``benchmarks/_scale_probe.py`` run with the revision's code): the full
  projection load, the views a served load builds before it is ready (profiles, mentor index,
  population), mentor suggestions p50/p95 over ``--samples`` mentees, HR's light report (the
  first, then again), brokers and clusters.

``--repeat`` starts each revision that many times; the table shows medians. The writes of the
mix stay in the store, so the second revision serves a slightly different graph (a few
hundred changed skills and goals). Prints a table of baseline, this tree and their ratio, and
writes it to ``benchmarks/results/scale-<people>-<store>.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_ROOT = _HERE.parent
sys.path[:] = [str(_ROOT)] + [p for p in sys.path if Path(p).resolve() != _HERE]

import httpx  # noqa: E402
import psutil  # noqa: E402
from rich.console import Console  # noqa: E402

from api.auth import Role, Tokens  # noqa: E402
from api.bookmarks import HEADER as VERSION  # noqa: E402
from api.bookmarks import format_version  # noqa: E402
from benchmarks._report import Report  # noqa: E402
from benchmarks._service import (  # noqa: E402
    STORES,
    Connection,
    CpuMeter,
    free_port,
    percentile,
    store_server,
)
from benchmarks.load import SUGGEST, choose_people, run  # noqa: E402
from graph import people as people_module  # noqa: E402
from graph.changes import current_version  # noqa: E402
from graph.embedded import BoltEndpoint  # noqa: E402
from graph.organisation import Organisation, write_organisation  # noqa: E402
from graph.schema import ensure_schema  # noqa: E402
from graph.seed import generate_organisation  # noqa: E402
from graph.store import Store  # noqa: E402

console = Console()
BASELINE = "7695f59"
"""main before the batched seed and this benchmark."""

TYPENAME = "{ __typename }"
ME = "{ me { id name title } }"
PROFILE = """query($id: ID!) { person(id: $id) { id name title
  skills { level skill { name } } learningGoals { priority skill { name } } } }"""
HEALTH = """{ networkHealth { people heavyStatus metrics { name value } } }"""
SKILLS = ["sql", "coaching", "empathy", "zendesk", "forecasting"]


@dataclass(frozen=True)
class Revision:
    """Code to serve: a name for the table and the tree ``PYTHONPATH`` points at."""

    name: str
    commit: str
    tree: Path

    @property
    def has_checkpoints(self) -> bool:
        """Whether its read model saves itself to disk (``SKILLWEAVE_CHECKPOINT_DIR``)."""
        return (self.tree / "readmodel" / "checkpoint.py").exists()


@dataclass
class Seeded:
    """The store the benchmark seeded, and what it holds."""

    endpoint: BoltEndpoint
    store: Store
    org: Organisation
    generate_s: float
    write_s: float


def git(*args: str, cwd: Path = _ROOT) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@contextlib.contextmanager
def baseline_tree(revision: str) -> Iterator[Revision | None]:
    """``revision`` checked out into a temporary worktree, removed at exit; ``none``: no baseline.

    At 300,000 people the old projection does not load in a useful time (still loading
    after 15 minutes), so that size runs this tree alone.
    """
    if revision == "none":
        yield None
        return
    commit = git("rev-parse", "--short", revision)
    with tempfile.TemporaryDirectory(prefix="skillweave-baseline-") as folder:
        tree = Path(folder) / "tree"
        git("worktree", "add", "--detach", str(tree), commit)
        try:
            yield Revision("baseline", commit, tree)
        finally:
            git("worktree", "remove", "--force", str(tree))


def this_tree() -> Revision:
    commit = git("rev-parse", "--short", "HEAD")
    dirty = "+changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    return Revision("this tree", commit + dirty, _ROOT)


class Worker:
    """``skillweave serve`` of one revision on the seeded store: one uvicorn worker."""

    def __init__(
        self,
        revision: Revision,
        endpoint: BoltEndpoint,
        secret: str,
        log: Path,
        checkpoints: Path | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "SKILLWEAVE_"))}
        env.update(
            PYTHONPATH=str(revision.tree),
            NEO4J_URI=endpoint.uri,
            NEO4J_USER=endpoint.user,
            NEO4J_PASSWORD=endpoint.password,
            NEO4J_DATABASE=endpoint.database,
            SKILLWEAVE_JWT_SECRET=secret,
            SKILLWEAVE_DATA_DIR=str(log.parent / "app"),
        )
        if checkpoints is not None:
            env["SKILLWEAVE_CHECKPOINT_DIR"] = str(checkpoints)
        self.log = log
        self.started = time.perf_counter()
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "api.cli", "serve", "--port", str(self.port)],
                env=env, stdout=out, stderr=subprocess.STDOUT, cwd=revision.tree,
            )  # fmt: skip
        self.meter = CpuMeter({"service": self.process.pid})

    def wait_ready(self, timeout: float) -> float:
        """Seconds from process start to ``/readyz`` 200."""
        while time.perf_counter() - self.started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200:
                    return time.perf_counter() - self.started
            time.sleep(0.05)
        raise RuntimeError(f"serve not ready in {timeout:.0f} s:\n{self.log.read_text()[-3000:]}")

    def rss_mb(self) -> float:
        return psutil.Process(self.process.pid).memory_info().rss / 2**20

    def cpu(self) -> float:
        return self.meter.read()["service"]

    def settle(self, quiet: float = 1.0, timeout: float = 600) -> None:
        """Wait until the worker has used under 5% of a core for ``quiet`` seconds (background
        work such as brokers and clusters done)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = self.cpu()
            time.sleep(quiet)
            if self.cpu() - before < 0.05 * quiet:
                return

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(60)


def encode(query: str, variables: dict[str, object] | None = None) -> bytes:
    return json.dumps({"query": query, "variables": variables or {}}).encode()


async def post_ok(http: Connection, body: bytes, headers: dict[str, str] | None = None) -> float:
    """Milliseconds one request took; an error stops the benchmark."""
    started = time.perf_counter()
    status, answer = await http.post(body, headers=headers)
    took = (time.perf_counter() - started) * 1000
    if status != 200 or b'"errors"' in answer:
        raise RuntimeError(f"{status} {answer[:500]!r}")
    return took


async def single_requests(
    worker: Worker, token: str, bodies: Callable[[int], bytes], count: int
) -> tuple[float, float]:
    """(p50 ms, worker CPU ms per request) of ``count`` requests from one client."""
    async with Connection(worker.url, token) as http:
        for i in range(5):  # warm-up
            await post_ok(http, bodies(i))
        before = worker.cpu()
        took = [await post_ok(http, bodies(i)) for i in range(count)]
        used = worker.cpu() - before
    return statistics.median(took), 1000 * used / count


async def refresh_ms(worker: Worker, seeded: Seeded, agent: str, token: str, writes: int) -> float:
    """Median time the worker takes to apply one write made elsewhere (see the module doc)."""
    quiet, after_write = [], []
    async with Connection(worker.url, token) as http:
        for i in range(writes):
            asked = {VERSION: format_version(await seeded.store.read(current_version))}
            quiet.append(await post_ok(http, encode("{ me { id } }"), asked))
            await seeded.store.write(
                people_module.set_skill, agent, SKILLS[i % len(SKILLS)], 1 + i % 5
            )
            # a client that wrote elsewhere names the new version: the worker must apply the
            # write before answering (a revision without versions checks on every request)
            asked = {VERSION: format_version(await seeded.store.read(current_version))}
            after_write.append(await post_ok(http, encode("{ me { id } }"), asked))
    return statistics.median(after_write) - statistics.median(quiet)


def probe(revision: Revision, endpoint: BoltEndpoint, mentees: list[str]) -> dict[str, float]:
    """The in-process timings, from a process running ``revision``'s code."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "SKILLWEAVE_"))}
    env.update(
        PYTHONPATH=str(revision.tree),
        NEO4J_URI=endpoint.uri,
        NEO4J_USER=endpoint.user,
        NEO4J_PASSWORD=endpoint.password,
        NEO4J_DATABASE=endpoint.database,
    )
    done = subprocess.run(
        [sys.executable, str(_HERE / "_scale_probe.py")],
        input=json.dumps(mentees), env=env, capture_output=True, text=True, check=False,
        cwd=revision.tree,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"the probe failed for {revision.name}:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


async def start_and_use(
    worker: Worker, name: str, args: argparse.Namespace, agent_token: str, hr_token: str
) -> tuple[float, float, float]:
    """Start to ready (s), RSS when ready, and RSS after a suggestion and a health report (MB).

    The worker is left to settle before the two requests (a checkpoint it writes after its
    load, the views it warms) and after them (brokers and clusters in the background).
    """
    ready = worker.wait_ready(args.ready_timeout)
    rss_ready = worker.rss_mb()
    console.print(f"({name}) ready in {ready:.1f} s, {rss_ready:,.0f} MB")
    worker.settle()
    async with Connection(worker.url, agent_token) as http:
        await post_ok(http, encode(SUGGEST))
    async with Connection(worker.url, hr_token) as http:
        await post_ok(http, encode(HEALTH))
    worker.settle()
    return ready, rss_ready, worker.rss_mb()


async def measure(
    revision: Revision, seeded: Seeded, args: argparse.Namespace, folder: Path
) -> dict[str, float]:
    """One start of ``revision``'s worker, everything measured on it."""
    secret = secrets.token_urlsafe(48)
    tokens = Tokens(
        secret, issuer="skillweave", audience="skillweave-api", lifetime=dt.timedelta(hours=4)
    )
    org = seeded.org
    rng = random.Random(args.seed)
    clients = choose_people(org, args.clients, rng)
    agent = next(pid for pid, role in clients if role is Role.AGENT)
    hr = next(pid for pid, role in clients if role is Role.HR)
    agent_token, hr_token = tokens.mint(agent, Role.AGENT), tokens.mint(hr, Role.HR)
    ids = [p.id for p in org.people]
    folder.mkdir(parents=True, exist_ok=True)
    console.print(f"({revision.name} {revision.commit}) starting serve ...")
    # a revision with checkpoints saves one after its full load; the second start reads it
    checkpoints = folder / "checkpoints" if revision.has_checkpoints else None
    worker = Worker(revision, seeded.endpoint, secret, folder / "serve.log", checkpoints)
    figures: dict[str, float] = {}
    try:
        # a checkpoint is written in the background after the load: not during a figure
        used = await start_and_use(worker, revision.name, args, agent_token, hr_token)
        figures["ready_s"], figures["rss_ready_mb"], figures["rss_used_mb"] = used
        console.print(f"({revision.name}) single requests ...")
        for name, token, bodies in (
            ("typename", agent_token, lambda i: encode(TYPENAME)),
            ("me", agent_token, lambda i: encode(ME)),
            ("profile", hr_token, lambda i: encode(PROFILE, {"id": ids[(i * 7919) % len(ids)]})),
            ("ten_suggestions", agent_token, lambda i: encode(SUGGEST)),
        ):
            p50, cpu = await single_requests(worker, token, bodies, args.single)
            figures[f"{name}_p50_ms"], figures[f"{name}_cpu_ms"] = p50, cpu
        figures["refresh_ms"] = await refresh_ms(worker, seeded, agent, agent_token, args.writes)
        console.print(f"({revision.name}) load mix, {args.clients} clients, {args.seconds:.0f} s")
        results, elapsed, _ = await run(
            worker.url, tokens, clients, org, args.seconds, 10**9, args.seed, 0.0, worker.meter
        )
        answered = [x for values in results.latencies.values() for x in values]
        errors = sum(len(e) for e in results.errors.values())
        figures["mix_rps"] = len(answered) / elapsed
        figures["mix_p95_ms"] = percentile(answered, 0.95)
        figures["mix_cpu_ms"] = 1000 * results.cpu["service"] / len(answered)
        figures["mix_errors"] = errors
        figures["rss_after_mix_mb"] = worker.rss_mb()
    finally:
        worker.stop()
    if checkpoints is not None:
        # behind the graph by the writes above: the start reads the file, then the changes
        console.print(f"({revision.name}) starting serve again, from its checkpoint ...")
        again = Worker(revision, seeded.endpoint, secret, folder / "serve2.log", checkpoints)
        try:
            used = await start_and_use(again, revision.name, args, agent_token, hr_token)
            (
                figures["ready_checkpoint_s"],
                figures["rss_ready_checkpoint_mb"],
                figures["rss_used_checkpoint_mb"],
            ) = used
        finally:
            again.stop()
    console.print(f"({revision.name}) in-process probe ...")
    mentees = [p.id for p in random.Random(args.seed).sample(org.people, args.samples) if p.goals]
    figures.update(probe(revision, seeded.endpoint, mentees))
    return figures


async def seed_store(args: argparse.Namespace, folder: Path) -> tuple[object, Seeded]:
    server = store_server(args.store, folder / "store", args.heap)
    endpoint = server.start()
    store = await Store.connect(endpoint)
    await ensure_schema(store)
    console.print(f"generating {args.people:,} people ...")
    started = time.perf_counter()
    org = generate_organisation(people=args.people, seed=7)
    generated = time.perf_counter()
    console.print(f"writing them into {args.store} ...")
    await write_organisation(store, org, create=True)
    written = time.perf_counter()
    console.print(
        f"seeded: generated in {generated - started:.1f} s, written in {written - generated:.1f} s"
    )
    return server, Seeded(endpoint, store, org, generated - started, written - generated)


ROWS: list[tuple[str, str, str]] = [
    ("start to ready (projection loaded)", "s", "ready_s"),
    ("RSS when ready", "MB", "rss_ready_mb"),
    ("RSS after a suggestion and a health report", "MB", "rss_used_mb"),
    ("RSS after the load mix", "MB", "rss_after_mix_mb"),
    ("start to ready from a checkpoint (then the changes since)", "s", "ready_checkpoint_s"),
    ("RSS when ready, from a checkpoint", "MB", "rss_ready_checkpoint_mb"),
    (
        "RSS after a suggestion and a health report, from a checkpoint",
        "MB",
        "rss_used_checkpoint_mb",
    ),
    ("refresh after one write", "ms", "refresh_ms"),
    ("`{ __typename }` p50", "ms", "typename_p50_ms"),
    ("`{ __typename }` worker CPU", "ms/req", "typename_cpu_ms"),
    ("`me { id name title }` p50", "ms", "me_p50_ms"),
    ("`me { id name title }` worker CPU", "ms/req", "me_cpu_ms"),
    ("profile with skills and goals p50", "ms", "profile_p50_ms"),
    ("profile with skills and goals worker CPU", "ms/req", "profile_cpu_ms"),
    ("ten suggestions p50", "ms", "ten_suggestions_p50_ms"),
    ("ten suggestions worker CPU", "ms/req", "ten_suggestions_cpu_ms"),
    ("load mix throughput", "req/s", "mix_rps"),
    ("load mix p95", "ms", "mix_p95_ms"),
    ("load mix worker CPU", "ms/req", "mix_cpu_ms"),
    ("load mix errors", "", "mix_errors"),
    ("in process: full projection load", "s", "full_load_s"),
    ("in process: views a served load builds (profiles, mentor index, population)", "s", "views_s"),
    ("in process: first suggestion after them", "s", "suggestions_first_s"),
    ("in process: suggestions p50", "ms", "suggestions_p50_ms"),
    ("in process: suggestions p95", "ms", "suggestions_p95_ms"),
    ("in process: light health report, first", "s", "light_report_cold_s"),
    ("in process: light health report, warm", "s", "light_report_warm_s"),
    ("in process: brokers", "s", "brokers_s"),
    ("in process: clusters", "s", "clusters_s"),
]


def shown(value: float) -> str:
    if value != value:  # NaN
        return "–"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


async def main(args: argparse.Namespace) -> None:
    report = Report(console)
    with (
        tempfile.TemporaryDirectory(prefix="skillweave-scale-") as temp,
        baseline_tree(args.baseline) as baseline,
    ):
        folder = Path(temp)
        current = this_tree()
        server, seeded = await seed_store(args, folder)
        try:
            runs: dict[str, list[dict[str, float]]] = {"baseline": [], "this tree": []}
            revisions = [current] if baseline is None else [baseline, current]
            for k in range(args.repeat):
                for revision in revisions:
                    place = folder / f"{revision.name.replace(' ', '-')}-{k}"
                    runs[revision.name].append(await measure(revision, seeded, args, place))
        finally:
            await seeded.store.close()
            server.stop()  # type: ignore[attr-defined]
    people = len(seeded.org.people)
    against = "no baseline" if baseline is None else f"baseline {baseline.commit}"
    report.heading(
        f"Scale: {people:,} people on the {args.store} store, {against} and {current.commit}"
    )
    report.table(
        "Seeding (this tree, once)",
        ["step", "seconds", "people/s"],
        [
            ["generate", f"{seeded.generate_s:.1f}", f"{people / seeded.generate_s:,.0f}"],
            ["write", f"{seeded.write_s:.1f}", f"{people / seeded.write_s:,.0f}"],
            ["together", f"{seeded.generate_s + seeded.write_s:.1f}", ""],
        ],
    )
    rows = []
    for label, unit, key in ROWS:
        after = statistics.median(r.get(key, float("nan")) for r in runs["this tree"])
        if baseline is None:
            rows.append([label, unit, shown(after)])
            continue
        # a baseline without checkpoints starts the one way it can
        plain = key.replace("_checkpoint", "")
        before = statistics.median(r.get(key, r.get(plain, float("nan"))) for r in runs["baseline"])
        ratio = f"{after / before:.2f}x" if before else "–"
        rows.append([label, unit, shown(before), shown(after), ratio])
    columns = ["measure", "unit", f"this tree {current.commit}"]
    if baseline is not None:
        columns[2:2] = [f"baseline {baseline.commit}"]
        columns.append("ratio")
    report.table(
        f"One API worker, {people:,} people: "
        + ("this tree" if baseline is None else "baseline and this tree"),
        columns,
        rows,
        notes=[
            f"medians of {args.repeat} start(s) per revision; single requests: {args.single} "
            f"each from one client; refresh: median of {args.writes} writes; load mix: "
            f"{args.clients} clients back to back for {args.seconds:.0f} s; in process: "
            f"{args.samples} mentees",
            *(["ratio: this tree / baseline"] if baseline is not None else []),
        ],
        text_columns=2,
    )
    if args.markdown:
        target = args.markdown.format(people=args.people, store=args.store)
        report.save(target)
        console.print(f"wrote {target}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--store", choices=STORES, default="embedded")
    parser.add_argument(
        "--baseline", default=BASELINE, help="the revision to compare with; none: this tree alone"
    )
    parser.add_argument("--repeat", type=int, default=1, help="starts of each revision")
    parser.add_argument("--single", type=int, default=100, help="requests per single query")
    parser.add_argument("--writes", type=int, default=20, help="writes for the refresh time")
    parser.add_argument("--clients", type=int, default=16, help="clients of the load mix")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the load mix")
    parser.add_argument("--samples", type=int, default=200, help="mentees, in process")
    parser.add_argument("--heap", default="4g", help="Java heap of the store")
    parser.add_argument(
        "--ready-timeout", type=float, default=3600, help="seconds a worker may take to start"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--markdown", default=str(_HERE / "results" / "scale-{people}-{store}.md"))
    asyncio.run(main(parser.parse_args()))
