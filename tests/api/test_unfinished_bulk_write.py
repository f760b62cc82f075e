"""A seed interrupted between its batches: the service refuses half an organisation, clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.auth import Role
from graph.embedded import BoltEndpoint
from graph.organisation import write_organisation
from graph.seed import generate_organisation
from graph.store import Store
from tests.api.conftest import Api, ServeProcess
from tests.graph.test_transactions import crash_in_people_batch

pytestmark = pytest.mark.anyio

REFUSAL = "unfinished seed: 100 of 300 people written"


@pytest.fixture
async def half_seeded(store: Store) -> Store:
    """The suite's store after a 300-person seed failed in its second batch of 100."""
    org = generate_organisation(people=300, seed=1)
    with pytest.raises(RuntimeError, match="crash in batch 2"):
        await write_organisation(
            store, org, create=True, progress=crash_in_people_batch(2), batch_people=100
        )
    return store


async def test_a_running_service_answers_unavailable_and_says_why(
    half_seeded: Store, api: Api
) -> None:
    error = api.error("{ me { id name } }", as_=("E000001", Role.AGENT))
    assert error["extensions"]["code"] == "UNAVAILABLE"
    assert REFUSAL in error["message"] and "`skillweave seed` starts it over" in error["message"]


async def test_serve_refuses_to_start_and_says_why(
    half_seeded: Store, endpoint: BoltEndpoint, tmp_path: Path
) -> None:
    serve = ServeProcess(endpoint, tmp_path / "serve")
    assert serve.process.wait(timeout=90) == 1
    said = serve.log.read_text()
    assert REFUSAL in " ".join(said.split()), said
    assert "Traceback" not in said
