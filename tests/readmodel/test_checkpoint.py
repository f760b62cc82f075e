"""The read model saved on local disk: a process starts from it and reads only what changed,
and never serves a checkpoint of another graph, of other code, or behind the change log."""

from __future__ import annotations

import datetime as dt
import logging
import pickle
from pathlib import Path

import pytest

from graph import mentorships, people, squads
from graph.changes import prune_changes
from graph.export import export_graph
from graph.model import SquadMember
from graph.organisation import graph_data, write_organisation
from graph.seed import generate_organisation
from graph.store import Store
from readmodel import checkpoint as checkpoint_module
from readmodel.checkpoint import Checkpoint
from readmodel.keeper import ReadModelKeeper
from readmodel.store import ReadModel
from readmodel.views import REGISTERED
from tests.conftest import empty

pytestmark = pytest.mark.anyio


async def rebuilt(store: Store) -> ReadModel:
    """A model read anew from the store, every view built: what a checkpointed one must equal."""
    model = ReadModel.build(await store.read(export_graph))
    for spec in REGISTERED:
        model.view(spec)
    return model


async def saved_by_a_first_process(store: Store, folder: Path) -> Checkpoint:
    """A keeper loads everything and saves its checkpoint, as a first start does."""
    checkpoint = Checkpoint(folder, "the suite's store")
    first = ReadModelKeeper(store, checkpoint=checkpoint)
    await first.current()
    await first.aclose()
    assert first.full_loads == 1 and first.checkpoint_loads == 0
    return checkpoint


def test_a_snapshot_rebuilds_the_same_model() -> None:
    data = graph_data(generate_organisation(people=300, seed=11))
    data.left = {data.people.pop().id}  # someone off-boarded
    model = ReadModel.build(data)
    assert model.left and model.related and model.squads  # every part is exercised
    assert ReadModel.build(model.snapshot()).differences(model) == []


def test_records_round_trip_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkpoint_module, "CHUNK", 3)  # people and mentorships in many chunks
    data = graph_data(generate_organisation(people=100, seed=2), version=("epoch", 3))
    assert len(data.mentorships) > 3
    checkpoint = Checkpoint(tmp_path, "a store")
    checkpoint.write(data)
    saved = checkpoint.read()
    assert saved is not None and saved.version == ("epoch", 3)
    assert ReadModel.build(saved).differences(ReadModel.build(data)) == []


async def test_a_start_from_the_checkpoint_reads_only_what_changed(
    store: Store, tmp_path: Path
) -> None:
    org = generate_organisation(people=150, seed=3)
    await write_organisation(store, org, create=True)
    checkpoint = await saved_by_a_first_process(store, tmp_path)
    assert checkpoint.path.stat().st_mode & 0o777 == 0o600  # unpickling runs code: ours only
    assert [p.name for p in tmp_path.iterdir()] == [checkpoint.path.name]  # no temporary left

    # the graph moves on after the save
    a, b, c = (p.id for p in org.people[10:13])
    await store.query(
        "MATCH (p:Person {id: $c}) SET p.open_to_mentoring = true, p.mentoring_capacity = 2", c=c
    )
    await store.write(people.set_skill, a, "sql", 5)
    request = await store.write(
        mentorships.request_mentorship, mentee_id=a, mentor_id=c, focus_skills=["sql"]
    )
    squad = await store.write(
        squads.create_squad,
        name="Late",
        focus_skills=["sql"],
        members=[SquadMember(a), SquadMember(b)],
    )

    second = ReadModelKeeper(store, checkpoint=checkpoint)
    model = await second.current()
    assert (second.checkpoint_loads, second.full_loads, second.partial_loads) == (1, 0, 1)
    for spec in REGISTERED:
        model.view(spec)
    assert model.differences(await rebuilt(store)) == []
    assert model.people[a].skills["sql"] == 5
    assert model.mentorships[request.id].status == "requested"
    assert squad.id in model.squads


async def test_a_checkpoint_of_another_graph_is_read_and_refused(
    store: Store, tmp_path: Path
) -> None:
    await write_organisation(store, generate_organisation(people=80, seed=3), create=True)
    checkpoint = await saved_by_a_first_process(store, tmp_path)
    await empty(store)  # wiped: the next write starts another epoch
    org = generate_organisation(people=60, seed=4)
    await write_organisation(store, org, create=True)

    keeper = ReadModelKeeper(store, checkpoint=checkpoint)
    model = await keeper.current()
    assert (keeper.checkpoint_loads, keeper.full_loads) == (1, 1)
    assert sorted(model.people) == sorted(p.id for p in org.people)
    assert model.differences(await rebuilt(store)) == []
    await keeper.aclose()
    header = checkpoint.header()
    assert header is not None and header.version == model.version  # saved again, of this graph


async def test_a_checkpoint_behind_a_pruned_change_log_means_a_full_load(
    store: Store, tmp_path: Path
) -> None:
    org = generate_organisation(people=80, seed=3)
    await write_organisation(store, org, create=True)
    checkpoint = await saved_by_a_first_process(store, tmp_path)
    await store.write(people.set_skill, org.people[0].id, "sql", 4)
    await store.write(prune_changes, older_than=dt.timedelta(0))  # the change named above too
    await store.write(people.set_skill, org.people[1].id, "sql", 4)

    keeper = ReadModelKeeper(store, checkpoint=checkpoint)
    model = await keeper.current()
    assert keeper.full_loads == 1
    assert model.people[org.people[0].id].skills["sql"] == 4  # not lost with the pruned change
    assert model.differences(await rebuilt(store)) == []


@pytest.mark.parametrize("damage", ["torn", "other code", "not a checkpoint"])
async def test_an_unusable_file_is_a_full_load_with_a_warning(
    store: Store,
    tmp_path: Path,
    damage: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    org = generate_organisation(people=60, seed=3)
    await write_organisation(store, org, create=True)
    checkpoint = Checkpoint(tmp_path, "the suite's store")
    if damage == "torn":
        checkpoint.write(await store.read(export_graph))
        whole = checkpoint.path.read_bytes()
        checkpoint.path.write_bytes(whole[: len(whole) // 2])
    elif damage == "other code":
        with monkeypatch.context() as patched:  # as if written before an edit of graph/records.py
            patched.setattr(checkpoint_module, "_code_digest", lambda: "older code")
            checkpoint.write(await store.read(export_graph))
    else:
        checkpoint.path.write_bytes(pickle.dumps({"people": []}))

    caplog.set_level(logging.INFO, logger="readmodel.checkpoint")
    keeper = ReadModelKeeper(store, checkpoint=checkpoint)
    model = await keeper.current()
    await keeper.aclose()
    assert (keeper.checkpoint_loads, keeper.full_loads) == (0, 1)
    assert sorted(model.people) == sorted(p.id for p in org.people)
    assert "checkpoint" in caplog.text and str(checkpoint.path) in caplog.text
    assert checkpoint.read() is not None  # replaced by a good one after the full load


async def test_save_checkpoint_saves_a_new_version_once(store: Store, tmp_path: Path) -> None:
    org = generate_organisation(people=60, seed=3)
    await write_organisation(store, org, create=True)
    checkpoint = Checkpoint(tmp_path, "the suite's store")
    keeper = ReadModelKeeper(store, checkpoint=checkpoint)
    await keeper.current()
    await keeper.aclose()
    assert not await keeper.save_checkpoint()  # saved at this version by the full load
    await store.write(people.set_skill, org.people[0].id, "sql", 4)
    model = await keeper.current()
    assert await keeper.save_checkpoint()
    saved = checkpoint.read()
    assert saved is not None and saved.version == model.version
    assert ReadModel.build(saved).differences(model) == []
    assert not await keeper.save_checkpoint()
