"""The ``skillweave`` command: serve the API, seed demo data, import an HRIS export, health.

Every command uses the embedded store unless ``NEO4J_URI`` is set. Long work
shows a progress bar (rich).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
import os
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import click
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.auth import Role, Tokens
from api.demo import HISTORY_WEEKS, demo_people, save_demo_history
from api.errors import ApiError
from api.health import DEFINITIONS, check_scope, scope_name, version_number
from api.health_http import metrics_csv
from api.settings import AppSettings
from graph import people, snapshots
from graph.changes import unfinished_bulk_write
from graph.embedded import EmbeddedArcadeDB
from graph.errors import GraphIncomplete, StoreError
from graph.hris import MAX_ROWS, ImportReport, count_rows, import_hris
from graph.organisation import delete_everything, ensure_bundled_catalog, write_organisation
from graph.seed import generate_organisation
from graph.settings import StoreSettings
from graph.store import Store
from matching.health.columns import flatten
from matching.health.report import network_health
from matching.health.scope import HealthScope
from readmodel.keeper import ReadModelKeeper
from readmodel.paths import with_bench

console = Console(stderr=True)
T = TypeVar("T")


def _run(coroutine: Awaitable[T]) -> T:
    """Run a coroutine; a store error ends the command with its message, not a traceback."""
    try:
        return asyncio.run(coroutine)  # type: ignore[arg-type]
    except StoreError as error:
        console.print(f"[red]error:[/red] {error}", soft_wrap=True)
        sys.exit(1)


@contextmanager
def _progress(total: int, what: str) -> Iterator[Callable[[str, int], None]]:
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(what, total=total)

        def advance(stage: str, n: int) -> None:
            bar.update(task, advance=n, description=f"{what}: {stage}")

        yield advance


async def _is_empty(store: Store) -> bool:
    return await store.read(people.count_people) == 0


async def seed_store(
    store: Store, people_count: int, seed: int, *, demo: bool = False
) -> dict[str, int]:
    """Generate an organisation and write it into an empty store, with a progress bar.

    ``demo``: the organisation a few months into a mentoring programme, with twelve weekly
    back-dated network-health snapshots (:func:`api.demo.save_demo_history`), as
    ``serve --demo`` seeds it.

    Returns what was written, with the seconds each step took (``generate_s``, ``write_s``).
    """
    started = time.perf_counter()
    with console.status(f"Generating {people_count:,} people ..."):
        org = generate_organisation(people=people_count, seed=seed, programme=demo)
    generated = time.perf_counter()
    with _progress(org.size, "Seeding") as advance:
        written = await write_organisation(store, org, create=True, progress=advance)
    if demo:
        with console.status(f"Computing {HISTORY_WEEKS} weeks of network-health history ..."):
            today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            written["snapshots"] = await save_demo_history(store, org, now=today)
    return {
        **written,
        "generate_s": round(generated - started),
        "write_s": round(time.perf_counter() - generated),
    }


async def _start_unfinished_seed_over(store: Store) -> bool:
    """Wipe the store if it holds a seed that never finished (all of it is that seed's).

    Returns whether it did. An unfinished import is left alone: what it wrote is merged into
    an organisation that was there before it.
    """
    unfinished = await store.read(unfinished_bulk_write)
    if unfinished is None or unfinished.kind != "seed":
        return False
    console.print(
        f"The store holds a seed that did not finish ({unfinished.written:,} of "
        f"{unfinished.people:,} people written): starting it over."
    )
    await delete_everything(store)
    return True


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log what the service does.")
def cli(verbose: bool) -> None:
    """Skillweave: peer mentorship and learning communities for contact centers."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


@cli.command()
@click.option(
    "--people", "people_count", type=click.IntRange(1, 500_000), default=2000, show_default=True
)
@click.option(
    "--seed", "seed", type=int, default=7, show_default=True, help="Same seed, same organisation."
)
@click.option("--reset", is_flag=True, help="Delete everything in the store first.")
def seed(people_count: int, seed: int, reset: bool) -> None:
    """Fill the store with a synthetic BPO organisation."""

    async def main() -> None:
        async with await Store.open() as store:
            started_over = await _start_unfinished_seed_over(store)
            if reset and not started_over:
                await delete_everything(store)
            elif not (reset or started_over or await _is_empty(store)):
                count = await store.read(people.count_people)
                raise click.ClickException(
                    f"The store already holds {count} people. Use --reset to replace them."
                )
            written = await seed_store(store, people_count, seed)
        console.print(
            f"Seeded {written['people']} people, {written['skill_levels']} skill levels, "
            f"{written['learning_goals']} learning goals, {written['mentorships']} mentorships, "
            f"{written['squads']} squads, {written['communities']} communities "
            f"(generated in {written['generate_s']} s, written in {written['write_s']} s)."
        )

    _run(main())


@cli.command()
@click.option("--site", help="Only this site.")
@click.option("--team", help="Only this team (id).")
@click.option("--function", "function", help="Only this function.")
@click.option("--snapshot", is_flag=True, help="Store the metrics as a snapshot for the history.")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write the metrics as CSV to this file ('-' for standard output).",
)
def health(
    site: str | None,
    team: str | None,
    function: str | None,
    snapshot: bool,
    csv_path: Path | None,
) -> None:
    """Network-health metrics of the organisation or a scope (brokers and clusters included)."""

    async def main() -> dict[str, float | int]:
        scope = HealthScope(site=site, team=team, function=function)
        async with await Store.open() as store:
            projection = await ReadModelKeeper(store).current()
            try:
                check_scope(projection, scope)
            except ApiError as error:
                raise click.ClickException(str(error)) from error
            with console.status("Computing every metric (brokers and clusters take longest) ..."):
                report = network_health(projection, scope, heavy=True, impact=projection)
            values = with_bench(flatten(report), projection, scope)
            if snapshot:
                await store.write(
                    snapshots.save_snapshot,
                    scope=scope_name(scope),
                    metrics=values,
                    version=version_number(projection),
                )
                console.print(f"Stored a snapshot of [bold]{scope_name(scope)}[/bold].")
        return values

    values = _run(main())
    if csv_path is not None:
        text = metrics_csv(values)
        if str(csv_path) == "-":
            click.echo(text, nl=False)
        else:
            csv_path.write_text(text, encoding="utf-8")
            console.print(f"Wrote {len(values)} metrics to {csv_path}.")
        return
    table = Table(title="Network health")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("definition", overflow="fold")
    for name, value in values.items():
        shown = "–" if isinstance(value, float) and math.isnan(value) else f"{value:,.4g}"
        table.add_row(name, shown, DEFINITIONS.get(name, ""))
    Console().print(table)


def _print_report(report: ImportReport) -> None:
    if report.errors:
        table = Table(title=f"{len(report.errors)} problem(s) in {report.path}", show_lines=False)
        table.add_column("line", justify="right")
        table.add_column("employee")
        table.add_column("problem")
        for error in report.errors:
            table.add_row(str(error.line), error.employee_id, error.reason)
        console.print(table)
        if report.unmatched_skills:
            names = ", ".join(sorted(report.unmatched_skills))
            console.print(f"Unmatched skill names: {names} (add them with --create-skills)")
        console.print(
            "[red]Nothing was imported.[/red] Fix the lines above and run the import again."
        )
        return
    if report.created_skills:
        console.print(f"New skills: {', '.join(report.created_skills)}")
    if report.checked_only:
        console.print(
            f"[green]{report.rows} rows checked: all good.[/green] Nothing written (--check)."
        )
    else:
        w = report.written
        console.print(
            f"[green]Imported {w['people']} people[/green] in {w['teams']} teams "
            f"({w['skill_levels']} skill levels, {w['learning_goals']} learning goals)."
        )


@cli.command(name="import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Check the file and report problems; write nothing.")
@click.option("--create-skills", is_flag=True, help="Add skill names that match no skill or alias.")
@click.option(
    "--max-rows",
    type=click.IntRange(1),
    default=MAX_ROWS,
    show_default=True,
    help="Refuse files with more people than this.",
)
def import_command(path: Path, check: bool, create_skills: bool, max_rows: int) -> None:
    """Import an HRIS export (CSV, one row per person). See docs/hris-import.md."""

    async def main() -> ImportReport:
        async with await Store.open() as store:
            if check:
                return await import_hris(
                    store, path, check=True, create_skills=create_skills, max_rows=max_rows
                )
            installed = await ensure_bundled_catalog(store)
            if any(installed.values()):
                console.print(
                    f"A new store: wrote the bundled {installed['skills']} skills and "
                    f"{installed['roles']} role profiles first."
                )
            rows = min(max_rows, count_rows(path))
            with _progress(rows, "Importing people") as advance:

                def people_only(stage: str, n: int) -> None:
                    if stage == "people":
                        advance(stage, n)

                return await import_hris(
                    store,
                    path,
                    create_skills=create_skills,
                    progress=people_only,
                    max_rows=max_rows,
                )

    report = _run(main())
    _print_report(report)
    if not report.ok:
        sys.exit(1)


@cli.command()
@click.option("--person", "person_id", required=True, help="The person id the token acts as.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.AGENT.value,
    show_default=True,
)
@click.option(
    "--hours",
    type=click.FloatRange(min=0.01),
    default=None,
    help="Lifetime [default: SKILLWEAVE_TOKEN_HOURS, 8; at most SKILLWEAVE_TOKEN_MAX_HOURS, 24].",
)
def token(person_id: str, role: str, hours: float | None) -> None:
    """Print a bearer token for development (signed with the configured secret)."""
    try:
        tokens = Tokens.from_settings(AppSettings())
    except (RuntimeError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    lifetime = dt.timedelta(hours=hours) if hours is not None else None
    try:
        click.echo(tokens.mint(person_id, Role(role), lifetime=lifetime))
    except ValueError as error:
        raise click.ClickException(str(error)) from None


def _print_demo_tokens() -> None:
    async def pick() -> dict[Role, tuple[str, str]]:
        async with await Store.open(setup_schema=False) as store:
            return await store.read(demo_people)

    tokens = Tokens.from_settings(AppSettings())
    picks = _run(pick())
    console.print("\n[bold]Demo sign-in[/bold] (send as 'Authorization: Bearer <token>'):")
    for role, (person_id, name) in picks.items():
        console.print(f"  [cyan]{role.value:<9}[/cyan] {name} ({person_id})")
        console.print(f"    {tokens.mint(person_id, role)}", soft_wrap=True)


async def _prepare_store(*, demo: bool, demo_people: int) -> None:
    """Connect once, set the schema up, seed a demo, and disconnect: the store can serve.

    Refuses a graph in the middle of a bulk write (a demo's unfinished seed starts over).
    """
    async with await Store.open() as store:
        unfinished = await store.read(unfinished_bulk_write)
        if demo and await _start_unfinished_seed_over(store):
            unfinished = None
        if unfinished is not None:
            raise GraphIncomplete(unfinished.describe())
        if not demo:
            await ensure_bundled_catalog(store)
            return
        if await _is_empty(store):
            await seed_store(store, demo_people, 7, demo=True)
        else:
            console.print("The store already has data; not seeding.")


def _export_endpoint(embedded: EmbeddedArcadeDB) -> None:
    """Point this process's settings (and uvicorn's workers) at the running embedded store."""
    endpoint = embedded.start()
    os.environ.update(
        NEO4J_URI=endpoint.uri,
        NEO4J_USER=endpoint.user,
        NEO4J_PASSWORD=endpoint.password,
        NEO4J_DATABASE=endpoint.database,
    )


@cli.command()
@click.option(
    "--host", default=None, help="Interface to listen on [default: SKILLWEAVE_HOST or 127.0.0.1]."
)
@click.option("--port", type=int, default=None, help="Port [default: SKILLWEAVE_PORT or 8000].")
@click.option(
    "--demo",
    is_flag=True,
    envvar="SKILLWEAVE_DEMO",
    help="Seed demo data first when the store is empty, print a token per role and offer demo "
    "sign-in (also SKILLWEAVE_DEMO=true; refused in production).",
)
@click.option("--demo-people", type=click.IntRange(10, 100_000), default=500, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
def serve(host: str | None, port: int | None, demo: bool, demo_people: int, workers: int) -> None:
    """Run the GraphQL service (the embedded store unless NEO4J_URI is set)."""
    import uvicorn

    settings = AppSettings()
    store_settings = StoreSettings()
    host = host or settings.skillweave_host
    port = port or settings.skillweave_port
    try:
        Tokens.from_settings(settings, store_settings)  # production needs a secret: say so first
    except (RuntimeError, ValueError) as error:
        console.print(f"[red]error:[/red] {error}", soft_wrap=True)
        sys.exit(1)
    if demo and settings.skillweave_env == "production":
        console.print(
            "[red]error:[/red] --demo (SKILLWEAVE_DEMO) prints tokens for every role, admin "
            "included; it is refused in production. Set SKILLWEAVE_ENV=development for a demo.",
            soft_wrap=True,
        )
        sys.exit(1)
    embedded: EmbeddedArcadeDB | None = None
    if store_settings.embedded:
        embedded = EmbeddedArcadeDB(
            store_settings.skillweave_data_dir,
            heap=store_settings.skillweave_embedded_heap,
            start_timeout=store_settings.skillweave_embedded_start_timeout,
        )
        console.print(f"Starting the embedded store in {embedded.data_dir} ...")
        try:
            _export_endpoint(embedded)
        except StoreError as error:
            console.print(f"[red]error:[/red] {error}", soft_wrap=True)
            sys.exit(1)
    else:
        console.print(f"Connecting to {store_settings.neo4j_uri} ...")
    try:
        # Settings that cannot work (address, credentials, database, server version) and a
        # graph half written end here with a message, before uvicorn starts its workers.
        _run(_prepare_store(demo=demo, demo_people=demo_people))
        base = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}"
        if demo:
            _print_demo_tokens()
            os.environ["SKILLWEAVE_DEMO_SIGNIN"] = "true"
        console.print(f"\n[bold green]Skillweave is starting at {base}[/bold green]")
        console.print(f"  Web app: {base}/app/")
        if demo:
            console.print("    Sign in there by picking a demo person, or paste a token above.")
        console.print(f"  GraphQL (GraphiQL in development): {base}/graphql")
        console.print(f"  Health: {base}/healthz   Ready: {base}/readyz")
        console.print("  Stop with Ctrl-C.\n")
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
        )
    finally:
        if embedded is not None:
            embedded.stop()


def describe_settings_error(error: ValidationError) -> str:
    """A bad setting as its user sees it: the environment variable, what is wrong, the value."""
    lines = []
    for problem in error.errors():
        name = str(problem["loc"][0]).upper() if problem["loc"] else error.title
        lines.append(f"{name}={problem.get('input')!r}: {problem['msg']}")
    return "bad setting: " + "; ".join(lines)


@cli.command()
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=7687,
    show_default=True,
    help="Loopback port for Bolt.",
)
def store(port: int) -> None:
    """Run the embedded store alone, for several `serve` processes on this machine to share.

    Each `serve` then connects to it like to Neo4j, with the NEO4J_* settings printed here,
    and can be restarted (or run beside others) while the store keeps running.
    """
    import signal
    import threading

    settings = StoreSettings()
    embedded = EmbeddedArcadeDB(
        settings.skillweave_data_dir,
        heap=settings.skillweave_embedded_heap,
        start_timeout=settings.skillweave_embedded_start_timeout,
        bolt_port=port,
    )
    console.print(f"Starting the embedded store in {embedded.data_dir} ...")
    try:
        endpoint = embedded.start()
    except StoreError as error:
        console.print(f"[red]error:[/red] {error}", soft_wrap=True)
        sys.exit(1)
    console.print("[bold green]The embedded store is serving Bolt.[/bold green] For each serve:")
    click.echo(
        f"  NEO4J_URI={endpoint.uri} NEO4J_USER={endpoint.user} "
        f"NEO4J_PASSWORD={endpoint.password} NEO4J_DATABASE={endpoint.database}"
    )
    console.print("  (give every serve the same SKILLWEAVE_JWT_SECRET). Stop with Ctrl-C.")
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        embedded.stop()


def main() -> None:
    """Entry point of the ``skillweave`` script: bad settings end with a message, not a trace."""
    try:
        cli(prog_name="skillweave")
    except ValidationError as error:
        console.print(f"[red]error:[/red] {describe_settings_error(error)}", soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
