"""The ``skillweave`` command as a user runs it, on its own embedded store."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli

EXAMPLE = Path(__file__).parent.parent / "examples" / "hris" / "people.csv"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("SKILLWEAVE_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def test_seed_then_refuse_to_seed_over_data_then_reset(runner: CliRunner) -> None:
    first = runner.invoke(cli, ["seed", "--people", "150", "--seed", "3"])
    assert first.exit_code == 0, first.output
    assert "Seeded 150 people" in first.output
    again = runner.invoke(cli, ["seed", "--people", "150"])
    assert again.exit_code == 1
    assert "already holds 150 people" in again.output
    reset = runner.invoke(cli, ["seed", "--people", "40", "--reset"])
    assert reset.exit_code == 0, reset.output
    assert "Seeded 40 people" in reset.output


def test_import_check_and_import(runner: CliRunner) -> None:
    # the taxonomy comes with a seed; import resolves skill names against it
    assert runner.invoke(cli, ["seed", "--people", "10"]).exit_code == 0
    checked = runner.invoke(cli, ["import", str(EXAMPLE), "--check"])
    assert checked.exit_code == 0, checked.output
    assert "13 rows checked: all good" in checked.output
    imported = runner.invoke(cli, ["import", str(EXAMPLE)])
    assert imported.exit_code == 0, imported.output
    assert "Imported 13 people" in imported.output


def test_import_of_a_bad_file_names_lines_and_exits_nonzero(
    runner: CliRunner, tmp_path: Path
) -> None:
    assert runner.invoke(cli, ["seed", "--people", "10"]).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "employee_id,name,team,function,site,skills\n"
        "B1,Bea,Chat 9,chat,Cebu,Zendesk:4\n"
        "B2,Bo,Chat 9,chat,Cebu,Zendesk:six\n"
    )
    result = runner.invoke(cli, ["import", str(bad)])
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output
    assert "level of zendesk must be a whole number" in result.output
    assert "3" in result.output


def test_locked_data_folder_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    from graph.embedded import EmbeddedArcadeDB

    holder = EmbeddedArcadeDB(tmp_path / "data")
    holder.start()
    try:
        result = runner.invoke(cli, ["seed", "--people", "10"])
    finally:
        holder.stop()
    assert result.exit_code == 1
    assert "already used by another Skillweave process" in result.output
    assert "Traceback" not in result.output


def test_health_prints_snapshots_and_exports_csv(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(cli, ["seed", "--people", "120", "--seed", "2"]).exit_code == 0
    out = tmp_path / "health.csv"
    done = runner.invoke(cli, ["health", "--site", "Manila", "--snapshot", "--csv", str(out)])
    assert done.exit_code == 0, done.output
    assert "Stored a snapshot of site:Manila" in done.output
    lines = out.read_text().splitlines()
    assert lines[0] == "metric,value,definition"
    names = [line.split(",")[0] for line in lines[1:]]
    assert {"people", "reach.isolated", "load.gini", "brokers.count"} <= set(names)
    bad = runner.invoke(cli, ["health", "--team", "nope"])
    assert bad.exit_code == 1 and "No team with id 'nope'" in bad.output


def test_seed_starts_an_unfinished_seed_over(runner: CliRunner, tmp_path: Path) -> None:
    import asyncio

    from graph.embedded import EmbeddedArcadeDB
    from graph.organisation import write_organisation
    from graph.schema import ensure_schema
    from graph.seed import generate_organisation
    from graph.store import Store
    from tests.graph.test_transactions import crash_in_people_batch

    async def interrupted_seed() -> None:
        embedded = EmbeddedArcadeDB(tmp_path / "data")
        async with await Store.connect(embedded.start(), embedded=embedded) as store:
            await ensure_schema(store)
            with pytest.raises(RuntimeError, match="crash in batch 2"):
                await write_organisation(
                    store,
                    generate_organisation(people=90, seed=3),
                    create=True,
                    progress=crash_in_people_batch(2),
                    batch_people=40,
                )

    asyncio.run(interrupted_seed())
    health = runner.invoke(cli, ["health"])
    assert health.exit_code == 1
    assert "unfinished seed: 40 of 90 people written" in " ".join(health.output.split())
    seeded = runner.invoke(cli, ["seed", "--people", "60"])
    assert seeded.exit_code == 0, seeded.output
    said = " ".join(seeded.output.split())
    assert "did not finish (40 of 90 people written): starting it over" in said
    assert "Seeded 60 people" in seeded.output
    assert runner.invoke(cli, ["health"]).exit_code == 0
