"""Random writes against the real store; after each, every view kept in step equals a rebuild.

A Hypothesis state machine writes through the store's own functions — profile edits,
skills and goals, the whole mentorship lifecycle, squads, communities, HRIS imports and
off-boarding — then brings the read model up to date from the change log, as a serving
process does. After every step the model, and every view registered on it (profiles, the
mentor index, HR's population, the directory's lists and facets, group records, the skill
catalog), must equal a model built afresh from a full export.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from graph import communities, mentorships, people, roles, squads
from graph.embedded import BoltEndpoint
from graph.errors import StoreError
from graph.export import export_graph
from graph.hris import import_hris
from graph.model import RoleProfile, RoleRequirement, SquadMember, SquadRole
from graph.offboarding import offboard_person
from graph.organisation import write_organisation
from graph.seed import generate_organisation
from graph.store import Store
from readmodel import directory
from readmodel.keeper import ReadModelKeeper
from readmodel.store import ReadModel
from readmodel.views import REGISTERED
from tests.conftest import empty, write_taxonomy

T = TypeVar("T")
pick = st.integers(0, 10_000)
"""An index into one of the machine's lists (taken modulo its length)."""


class Loop:
    """An event loop in a thread of its own, for a sync state machine to await the store on."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        done: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return done.result(timeout=120)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


def use_every_view(model: ReadModel) -> None:
    """Build every registered view, and two directory filters', so each is kept in step."""
    for spec in REGISTERED:
        model.view(spec)
    for where in (directory.PeopleFilter(), directory.PeopleFilter(site="Manila")):
        directory.page_of_people(model, where, first=5, after=None)
    assert len(model.built_views()) == len(REGISTERED) + 2


class Writes(RuleBasedStateMachine):
    """Writes anything a user, HR or an import can write; checks the read model after each."""

    loop: Loop
    store: Store
    folder: Path

    @initialize()
    def organisation(self) -> None:
        org = generate_organisation(people=30, seed=8)
        self.people = sorted(p.id for p in org.people)
        self.skills = sorted(s.key for s in org.skills)[:12]
        self.requests: list[str] = []
        self.active: list[str] = []
        self.squads = [q.id for q in org.squads]
        self.communities = [c.id for c in org.communities]
        self.imports = 0

        async def setup() -> ReadModelKeeper:
            await empty(self.store)
            await write_taxonomy(self.store)
            await write_organisation(self.store, org, create=True)
            keeper = ReadModelKeeper(self.store)
            use_every_view(await keeper.current())
            return keeper

        self.keeper = self.loop.run(setup())

    def write(self, work: Any, *args: Any, **kwargs: Any) -> Any:
        """One write; refusals (a rule the store enforces) are a normal outcome."""
        try:
            return self.loop.run(self.store.write(work, *args, **kwargs))
        except StoreError:
            return None

    def person(self, i: int) -> str:
        return self.people[i % len(self.people)]

    def skill(self, i: int) -> str:
        return self.skills[i % len(self.skills)]

    @rule(who=pick, what=pick, level=st.integers(1, 5))
    def set_skill(self, who: int, what: int, level: int) -> None:
        self.write(people.set_skill, self.person(who), self.skill(what), level)

    @rule(who=pick, what=pick)
    def remove_skill(self, who: int, what: int) -> None:
        self.write(people.remove_skill, self.person(who), self.skill(what))

    @rule(who=pick, what=pick, priority=st.integers(1, 3))
    def add_goal(self, who: int, what: int, priority: int) -> None:
        self.write(people.add_learning_goal, self.person(who), self.skill(what), priority)

    @rule(who=pick, what=pick)
    def remove_goal(self, who: int, what: int) -> None:
        self.write(people.remove_learning_goal, self.person(who), self.skill(what))

    @rule(
        who=pick,
        changes=st.fixed_dictionaries(
            {},
            optional={
                "name": st.sampled_from(["Ana", "Zed", "Mia Cruz"]),
                "site": st.sampled_from(["Manila", "Cebu", "Kraków"]),
                "shift": st.sampled_from(["day", "night"]),
                "mentoring_capacity": st.integers(0, 3),
                "open_to_mentoring": st.booleans(),
                "open_to_being_mentored": st.booleans(),
                "share_goals": st.booleans(),
            },
        ),
    )
    def update_profile(self, who: int, changes: dict[str, Any]) -> None:
        self.write(people.update_profile, self.person(who), changes)

    @rule(mentee=pick, mentor=pick, what=pick)
    def request(self, mentee: int, mentor: int, what: int) -> None:
        found = self.write(
            mentorships.request_mentorship,
            mentee_id=self.person(mentee),
            mentor_id=self.person(mentor),
            focus_skills=[self.skill(what)],
        )
        if found is not None:
            self.requests.append(found.id)

    @rule(which=pick, accept=st.booleans())
    def answer(self, which: int, accept: bool) -> None:
        if self.requests:
            mid = self.requests.pop(which % len(self.requests))
            if self.write(mentorships.respond_to_mentorship, mid, accept=accept) and accept:
                self.active.append(mid)

    @rule(which=pick, rating=st.integers(1, 5))
    def end(self, which: int, rating: int) -> None:
        if self.active:
            mid = self.active.pop(which % len(self.active))
            found = self.loop.run(self.keeper.current()).mentorships.get(mid)
            if found is not None:
                self.write(mentorships.end_mentorship, mid, by=found.mentee, rating=rating)

    @rule()
    def expire_every_request(self) -> None:
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
        self.write(mentorships.expire_requests, now=later)
        self.requests.clear()

    @rule(a=pick, b=pick, c=pick, what=pick)
    def create_squad(self, a: int, b: int, c: int, what: int) -> None:
        members = sorted({self.person(a), self.person(b), self.person(c)})
        found = self.write(
            squads.create_squad,
            name="Squad",
            focus_skills=[self.skill(what)],
            members=[SquadMember(pid, SquadRole.MEMBER) for pid in members],
        )
        if found is not None:
            self.squads.append(found.id)

    @rule(which=pick, who=pick, join=st.booleans())
    def squad_member(self, which: int, who: int, join: bool) -> None:
        if self.squads:
            sid, pid = self.squads[which % len(self.squads)], self.person(who)
            if join:
                self.write(squads.add_squad_member, sid, pid)
            else:
                self.write(squads.remove_squad_member, sid, pid)

    @rule(which=pick)
    def archive_squad(self, which: int) -> None:
        if self.squads:
            self.write(squads.archive_squad, self.squads[which % len(self.squads)])

    @rule(moderator=pick, what=pick)
    def create_community(self, moderator: int, what: int) -> None:
        found = self.write(
            communities.create_community,
            name=f"Guild {len(self.communities)}",
            topic_skills=[self.skill(what)],
            moderator_ids=[self.person(moderator)],
        )
        if found is not None:
            self.communities.append(found.id)

    @rule(which=pick, who=pick, join=st.booleans())
    def community_member(self, which: int, who: int, join: bool) -> None:
        if self.communities:
            cid, pid = self.communities[which % len(self.communities)], self.person(who)
            if join:
                self.write(communities.join_community, cid, pid)
            else:
                self.write(communities.leave_community, cid, pid)

    @rule(who=pick, site=st.sampled_from(["Manila", "Davao"]))
    def import_file(self, who: int, site: str) -> None:
        """An HRIS file naming one existing person and one new, without most columns."""
        self.imports += 1
        newcomer = f"N{self.imports:03d}"
        path = self.folder / f"import-{self.imports}.csv"
        path.write_text(
            "employee_id,name,role,team,function,site,skills,learning_goals\n"
            f"{self.person(who)},Imported,agent,Imported Team,voice,{site},SQL:3,Excel:high\n"
            f"{newcomer},New Person,agent,Imported Team,voice,{site},,SQL:medium\n",
            encoding="utf-8",
        )
        report = self.loop.run(import_hris(self.store, path))
        if report.ok:
            self.people.append(newcomer)

    @rule(who=pick, role=st.sampled_from([None, "team lead", "senior agent", "peer coach"]))
    def set_target_role(self, who: int, role: str | None) -> None:
        self.write(roles.set_target_role, self.person(who), role)

    @rule(what=pick, level=st.integers(1, 5))
    def save_role(self, what: int, level: int) -> None:
        requirement = RoleRequirement(self.skill(what), level, 2)
        self.write(roles.save_role, RoleProfile("", "Peer Coach", (requirement,)))

    @rule(role=st.sampled_from(["peer coach", "trainer"]))
    def delete_role(self, role: str) -> None:
        self.write(roles.delete_role, role)

    @rule(who=pick)
    def offboard(self, who: int) -> None:
        if len(self.people) > 10:
            pid = self.people.pop(who % len(self.people))
            self.write(offboard_person, pid)

    @invariant()
    def every_view_equals_a_rebuild(self) -> None:
        if not hasattr(self, "keeper"):
            return

        async def both() -> tuple[ReadModel, ReadModel]:
            kept = await self.keeper.current()
            return kept, ReadModel.build(await self.store.read(export_graph))

        kept, fresh = self.loop.run(both())
        assert kept.differences(fresh) == []
        use_every_view(kept)  # a full reload (an import) dropped them: build them again


def test_every_view_follows_random_writes(endpoint: BoltEndpoint, tmp_path: Path) -> None:
    loop = Loop()
    store = loop.run(Store.connect(endpoint))
    Writes.loop, Writes.store, Writes.folder = loop, store, tmp_path
    try:
        run_state_machine_as_test(
            Writes,
            settings=settings(
                max_examples=5,
                stateful_step_count=15,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        loop.run(store.close())
        loop.close()
