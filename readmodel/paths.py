"""Growth paths on the read model: a person's journey to a role, and HR's bench.

The definitions live in :mod:`matching.paths`; this module feeds them the records (role
profiles, levels, skill history, job roles, groups) and the mentor index's level columns,
and picks each step's mentors through the matcher's own suggestion path
(:func:`matching.mentoring.suggest_mentors` with one goal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from graph.model import JobRole
from graph.records import GroupRecord, PersonRecord, RoleRecord
from graph.squads import MAX_SQUAD_SIZE
from matching import mentoring
from matching import paths as rules
from matching.health.population import Population
from matching.health.scope import HealthScope
from matching.mentor_index import MentorIndex
from matching.mentoring import Scope
from matching.paths import Bench, GapSkill, RoleNeeds, Step
from matching.profiles import Profiles
from matching.scoring import PairScore
from readmodel.matching import MENTOR_INDEX
from readmodel.store import ReadModel
from readmodel.views import ChangeSet, ViewSpec, register

MENTORS_PER_STEP = 3
"""Mentors suggested for each step of a journey."""
LEAD_JOB_ROLES = frozenset({str(JobRole.TEAM_LEAD), str(JobRole.MANAGER)})
"""Job roles that lead people: their holders are checked for the promotion trap."""


def role_needs(role: RoleRecord) -> RoleNeeds:
    """The requirements of a role profile, as :mod:`matching.paths` reads them."""
    return RoleNeeds(
        role.id, tuple(rules.Requirement(k, level, weight) for k, level, weight in role.requires)
    )


@dataclass(frozen=True)
class PathStep:
    """A step of a journey with who and what can help with it."""

    step: Step
    mentors: list[PairScore]
    """The best mentors for this skill alone, as mentor suggestions rank and explain them."""
    squad: GroupRecord | None
    """A squad on the skill: one the person is in, else an active one with room."""
    community: GroupRecord | None
    """A community about the skill: one the person is in, else the largest."""


@dataclass(frozen=True)
class GrowthPath:
    """Where someone stands against a role, and the way there."""

    person: str
    role: RoleRecord
    readiness: float
    gap: list[GapSkill]
    steps: list[PathStep]
    progress: float | None
    """Readiness gained since the role became the target; None when it is not the target."""
    since: dt.datetime | None


def growth_path(
    model: ReadModel, person_id: str, role: RoleRecord, *, mentors: int = MENTORS_PER_STEP
) -> GrowthPath:
    """The person's readiness, gap and journey to ``role`` (they must exist)."""
    person = model.people[person_id]
    needs = role_needs(role)
    steps = rules.journey(person.skills, needs, model.related)
    progress = None
    since = None
    if person.target_role == role.id and person.target_since is not None:
        since = person.target_since
        history = ((c.at, c.skill, c.level) for c in person.history)
        progress = rules.progress(person.skills, history, since, needs)
    return GrowthPath(
        person=person_id,
        role=role,
        readiness=rules.readiness(person.skills, needs),
        gap=rules.gap(person.skills, needs),
        steps=[
            PathStep(
                step=s,
                mentors=mentoring.suggest_mentors(model, person_id, first=mentors, goal=s.skill)
                if mentors
                else [],
                squad=_squad_for(model, person, s.skill),
                community=_community_for(model, person, s.skill),
            )
            for s in steps
        ],
        progress=progress,
        since=since,
    )


def _squad_for(model: ReadModel, person: PersonRecord, skill: str) -> GroupRecord | None:
    own = [model.squads[q] for q in sorted(person.squads) if q in model.squads]
    for q in own:
        if skill in q.skills and q.status != "archived":
            return q
    open_ = [
        (len(model.members("squad", q.id)), q.id, q)
        for q in model.squads.values()
        if skill in q.skills
        and q.status == "active"
        and len(model.members("squad", q.id)) < MAX_SQUAD_SIZE
    ]
    return min(open_, key=lambda t: t[:2])[2] if open_ else None


def _community_for(model: ReadModel, person: PersonRecord, skill: str) -> GroupRecord | None:
    for cid in person.communities:
        c = model.communities.get(cid)
        if c is not None and skill in c.skills:
            return c
    found = [
        (-len(model.members("community", c.id)), c.id, c)
        for c in model.communities.values()
        if skill in c.skills
    ]
    return min(found, key=lambda t: t[:2])[2] if found else None


@dataclass
class JobRoles:
    """Each person's job role as a code, by mentor-index position: scopes and holders as masks."""

    index: MentorIndex
    """The index whose positions ``column`` follows (a rebuilt index rebuilds this)."""
    codes: dict[str, int]
    column: npt.NDArray[np.int64]

    def code(self, job_role: str) -> int:
        """The code of a job role, given one on first sight."""
        return self.codes.setdefault(job_role, len(self.codes))


def _build_job_roles(model: ReadModel) -> JobRoles:
    index = model.mentor_index
    view = JobRoles(index, {}, np.zeros(len(index.ids), dtype=np.int64))
    for i, pid in enumerate(index.ids):
        view.column[i] = view.code(model.people[pid].role)
    return view


def _apply_job_roles(view: JobRoles, model: ReadModel, changes: ChangeSet) -> bool:
    if view.index is not model.mentor_index:
        return False
    for pid in changes.people:
        i = view.index.pos.get(pid)
        person = model.people.get(pid)
        if i is None or person is None:
            return False
        view.column[i] = view.code(person.role)
    return True


JOB_ROLES: ViewSpec[JobRoles] = register(
    ViewSpec(
        "job roles",
        build=_build_job_roles,
        apply=_apply_job_roles,
        depends_on=frozenset({"people"}),
        describe=lambda view: {
            pid: next(j for j, c in view.codes.items() if c == view.column[i])
            for i, pid in enumerate(view.index.ids)
        },
        after=(MENTOR_INDEX,),  # type: ignore[arg-type]
    )
)


def _people_mask(
    model: ReadModel,
    scope: Scope,
    *,
    job_roles: frozenset[str] | None = None,
    not_job_role: str | None = None,
) -> npt.NDArray[np.bool_]:
    """One flag per mentor-index position: in ``scope``, holding (or not) the job roles."""
    index = model.mentor_index
    jobs = model.view(JOB_ROLES)
    flags = np.ones(len(index.ids), dtype=bool)
    for kind, value in (("site", scope.site), ("function", scope.function), ("team", scope.team)):
        if value is not None:
            column, values = index.coded(kind)
            flags &= column == (values.index(value) if value in values else -1)
    if job_roles is not None:
        flags &= np.isin(jobs.column, [jobs.codes[j] for j in job_roles if j in jobs.codes])
    if not_job_role is not None and not_job_role in jobs.codes:
        flags &= jobs.column != jobs.codes[not_job_role]
    return flags


def bench(model: ReadModel, role: RoleRecord, scope: Scope) -> Bench:
    """Bench strength for ``role`` within ``scope``: everyone who does not hold it yet."""
    among = _people_mask(model, scope, not_job_role=role.job_role)
    return rules.bench_strength(model.mentor_index, role_needs(role), among)


@dataclass(frozen=True)
class Succession:
    """A lead, their role, and the people most ready to take it over."""

    lead: str
    role: RoleRecord
    successors: list[tuple[str, float]]
    """(person, readiness), most ready first."""


def successions(model: ReadModel, scope: Scope, *, first: int = 3) -> list[Succession]:
    """Likely successors of every team lead in ``scope``, leads by id.

    A lead's successors are the people in their team or reporting to them who are not team
    leads, ranked by readiness for the lead's role (Team Lead).
    """
    role = next((r for r in model.roles.values() if r.job_role == str(JobRole.TEAM_LEAD)), None)
    if role is None:
        return []
    index = model.mentor_index
    leads = np.flatnonzero(_people_mask(model, scope, job_roles=frozenset({role.job_role or ""})))
    value = rules.readiness_of_everyone(index, role_needs(role))
    eligible = _people_mask(model, Scope(), not_job_role=role.job_role)
    found = rules.successors(index, value, leads.tolist(), eligible, first=first)
    return [
        Succession(index.ids[lead], role, [(index.ids[i], v) for i, v in found[lead]])
        for lead in leads.tolist()
    ]


@dataclass(frozen=True)
class Trap:
    """Someone leading people whose skills fall short of their own role's profile."""

    person: str
    role: RoleRecord
    readiness: float
    gap: list[GapSkill]
    first_step: str | None
    """The first skill of their journey back to the profile: what a coach should teach."""


def promotion_traps(model: ReadModel, scope: Scope) -> list[Trap]:
    """People in a lead role in ``scope`` not ready now for it, least ready first, then id."""
    index = model.mentor_index
    found: list[Trap] = []
    for role in model.roles.values():
        if role.job_role not in LEAD_JOB_ROLES:
            continue
        needs = role_needs(role)
        holders = _people_mask(model, scope, job_roles=frozenset({role.job_role}))
        value = rules.readiness_of_everyone(index, needs)
        for i in np.flatnonzero(holders & (value < rules.READY_NOW)).tolist():
            pid = index.ids[i]
            skills = model.people[pid].skills
            steps = rules.journey(skills, needs, model.related)
            found.append(
                Trap(
                    pid,
                    role,
                    float(value[i]),
                    rules.gap(skills, needs),
                    steps[0].skill if steps else None,
                )
            )
    found.sort(key=lambda t: (round(t.readiness, 9), t.person))
    return found


@dataclass(frozen=True)
class Programme:
    """The matcher's views for a pipeline programme toward one role.

    Its participants are the people whose target role it is and who fall short of it; for
    this run their learning goals are their gap (:func:`matching.paths.programme_goals`),
    everyone else is as they are. The assignment solvers run on these views unchanged, so
    a programme's plan is certified exactly as a plain one.
    """

    role: RoleRecord
    participants: frozenset[str]
    profiles: Profiles
    mentor_index: MentorIndex
    version: Any
    population: Population


def programme(model: ReadModel, role: RoleRecord) -> Programme:
    """Views in which the people targeting ``role`` want to learn their gap to it.

    Its mentor index is the read model's with the participants' goal rows rewritten
    (:meth:`MentorIndex.with_goals`), not a new one (seconds at 50,000 people).
    """
    needs = role_needs(role)
    base = model.profiles
    profiles = Profiles(base.related, base.skill_names)
    participants: set[str] = set()
    for pid, profile in base.items():
        person = model.people.get(pid)
        if person is not None and person.target_role == role.id:
            gaps = rules.gap(person.skills, needs)
            if gaps:
                profile = replace(profile, goals=rules.programme_goals(gaps))
                participants.add(pid)
        profiles.put(profile)
    return Programme(
        role=role,
        participants=frozenset(participants),
        profiles=profiles,
        mentor_index=model.mentor_index.with_goals(profiles, participants),
        version=model.version,
        population=model.population,
    )


BENCH_COLUMN_PREFIX = "bench."
BENCH_COLUMN_DEFINITIONS = {
    "ready_now": "People in scope who do not hold the role and are at least 90 % ready for it",
    "ready_soon": "People in scope who do not hold the role and are 70–90 % ready for it",
}
"""What each per-role bench column counts (``docs/paths.md``); one column of each per role."""


def bench_column(role_id: str, bucket: str) -> str:
    """A bench column's name: ``bench.team_lead.ready_now``."""
    return f"{BENCH_COLUMN_PREFIX}{role_id.replace(' ', '_')}.{bucket}"


def bench_definition(name: str) -> str | None:
    """The definition of a bench column, or None when ``name`` is not one."""
    if not name.startswith(BENCH_COLUMN_PREFIX):
        return None
    role, _, bucket = name[len(BENCH_COLUMN_PREFIX) :].rpartition(".")
    found = BENCH_COLUMN_DEFINITIONS.get(bucket)
    if not role or found is None:
        return None
    return f"{found} (role profile `{role.replace('_', ' ')}`)."


class BenchColumns:
    """Each scope's bench columns, computed on first use and kept until the graph changes.

    HR's report asks for them on every request, and each role's bench reads every person's
    levels: computed per request they were a fifth of a ``networkHealth`` answer's CPU.
    """

    def __init__(self, model: ReadModel) -> None:
        self.model = model
        self.by_scope: dict[Scope, dict[str, float]] = {}

    def of(self, scope: Scope) -> dict[str, float]:
        """The bench columns of ``scope``, one ready-now and one ready-soon per role."""
        found = self.by_scope.get(scope)
        if found is None:
            found = {}
            for role_id in sorted(self.model.roles):
                counts = bench(self.model, self.model.roles[role_id], scope).overall
                found[bench_column(role_id, "ready_now")] = counts.ready_now
                found[bench_column(role_id, "ready_soon")] = counts.ready_soon
            self.by_scope[scope] = found
        return found


def _forget_benches(view: BenchColumns, model: ReadModel, changes: ChangeSet) -> bool:
    view.model = model
    view.by_scope.clear()
    return True


BENCH_COLUMNS: ViewSpec[BenchColumns] = register(
    ViewSpec(
        "bench columns",
        build=BenchColumns,
        apply=_forget_benches,
        depends_on=frozenset({"people", "roles", "skills", "teams"}),
        # the organisation's columns, read through the view: a kept view must not answer
        # with counts from before a change
        describe=lambda view: view.of(Scope()),
        after=(MENTOR_INDEX, JOB_ROLES),  # type: ignore[arg-type]
    )
)


def with_bench(
    values: Mapping[str, float], model: ReadModel, scope: HealthScope
) -> dict[str, float]:
    """Health ``values`` followed by each role's bench in ``scope``, for snapshots and CSV.

    Role profiles are HR's to edit, so these columns follow the roles there are: a trend
    chart of a role starts with the first snapshot taken after the role existed.
    """
    where = Scope(site=scope.site, function=scope.function, team=scope.team)
    return {**values, **model.view(BENCH_COLUMNS).of(where)}
