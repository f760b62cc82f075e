"""On a busy graph HR's report may be a little behind (``SKILLWEAVE_HEALTH_MAX_AGE_SECONDS``),
saying so in ``asOf``; snapshots are always current."""

from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from api.auth import Tokens
from graph import mentorships
from graph.store import Store
from tests.api.conftest import HR, Api, BoltEndpoint, ServerThread, app_settings, store_settings_for

pytestmark = pytest.mark.anyio

REPORT = "{ networkHealth { asOf metrics { name value } } }"
SNAPSHOT = "mutation { takeHealthSnapshot { metrics { name value } } }"


def value(metrics: list[dict[str, object]], name: str) -> object:
    return next(m["value"] for m in metrics if m["name"] == name)


@pytest.mark.parametrize("max_age", [600.0, 0.0])
async def test_a_report_is_reused_while_young_and_snapshots_are_fresh(
    org: Store, endpoint: BoltEndpoint, tokens: Tokens, max_age: float
) -> None:
    settings = app_settings(skillweave_health_max_age_seconds=max_age)
    app = create_app(settings, store_settings=store_settings_for(endpoint))
    with ServerThread(app) as running, httpx.Client(base_url=running.url, timeout=30) as http:
        api = Api(http, tokens)
        before = api.ok(REPORT, as_=HR)["networkHealth"]
        request = await org.write(
            mentorships.request_mentorship, mentee_id="ana", mentor_id="mia", focus_skills=["sql"]
        )
        await org.write(mentorships.respond_to_mentorship, request.id, accept=True)
        after = api.ok(REPORT, as_=HR)["networkHealth"]
        snapshot = api.ok(SNAPSHOT, as_=HR)["takeHealthSnapshot"]
    active_before = value(before["metrics"], "load.active")
    assert value(snapshot["metrics"], "load.active") == active_before + 1  # type: ignore[operator]
    if max_age:
        assert after["asOf"] == before["asOf"], "a young report is served again, with its asOf"
        assert value(after["metrics"], "load.active") == active_before
    else:
        assert value(after["metrics"], "load.active") == active_before + 1  # type: ignore[operator]
        assert after["asOf"] > before["asOf"]
