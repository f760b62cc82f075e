"""GraphQL face of growth paths: role profiles, target roles, journeys and the bench.

Role profiles are read by anyone signed in and edited by HR and admins; a person's target
role is theirs to choose (HR and admins may choose for anyone), and so is reading their
growth path (``Person.path``). Bench strength, successors and the promotion trap are HR's.
The computations live in :mod:`matching.paths` (fed by :mod:`readmodel.paths`); the
store's side in :mod:`graph.roles`. ``docs/paths.md`` defines every number.
"""

from __future__ import annotations

import difflib
import enum

import strawberry

from api.context import Info, off_the_loop
from api.errors import BadInput, NotFoundError
from api.inputs import RoleInput
from api.matching import MentorSuggestion, person_of, skill_of
from api.pagination import page_slice
from api.permissions import Action, require
from api.roles import find_role
from api.types import Community, Person, Role, Skill, Squad
from graph import roles
from graph.model import RoleProfile, RoleRequirement
from graph.records import GroupRecord
from matching import mentoring
from matching import paths as rules
from matching.mentoring import Scope
from matching.scoring import PairScore
from readmodel import directory
from readmodel import paths as growth
from readmodel.store import ReadModel

MAX_PAGE = 100
"""Most successions or promotion-trap entries one page returns."""
MAX_SUCCESSORS = 10
MAX_COACHES = 5


async def person_or_error(info: Info, person_id: str) -> Person:
    """The person with this id, or a NOT_FOUND error."""
    found = await info.context.loaders.person.load(person_id)
    if found is None:
        raise NotFoundError(f"No person with id {person_id!r}.")
    return Person.of(found)


def _percent(value: float) -> float:
    return round(value, 4)


@strawberry.enum(description="How close someone is to a role (docs/paths.md).")
class Readiness(enum.Enum):
    READY_NOW = "ready_now"
    READY_SOON = "ready_soon"
    FURTHER = "further"


def _bucket(value: float) -> Readiness:
    return Readiness(rules.bucket(value).value)


@strawberry.type(description="A skill a role requires that someone holds below its level.")
class SkillGap:
    skill: Skill = strawberry.field(description="The skill.")
    current_level: int = strawberry.field(description="The level held (0: missing).")
    required_level: int = strawberry.field(description="The level the role requires.")
    weight: int = strawberry.field(description="Its weight in readiness (1–5).")

    @classmethod
    def of(cls, projection: ReadModel, g: rules.GapSkill) -> SkillGap:
        """The GraphQL view of a gap skill."""
        return cls(
            skill=skill_of(projection, g.skill),
            current_level=g.current,
            required_level=g.required,
            weight=g.weight,
        )


@strawberry.type(description="One step of a journey to a role, with who and what can help.")
class PathStep:
    skill: Skill = strawberry.field(description="The skill to grow.")
    current_level: int = strawberry.field(description="The level held (0: missing).")
    required_level: int = strawberry.field(description="The level the role requires.")
    weight: int = strawberry.field(description="Its weight in readiness (1–5).")
    prerequisites: list[Skill] = strawberry.field(
        description="Related gap skills the role requires at a lower level: earlier steps."
    )
    mentors: list[MentorSuggestion] = strawberry.field(
        description="The best mentors for this skill alone (at most 3), scored, constrained "
        "and explained as `mentorSuggestions` does."
    )
    squad: Squad | None = strawberry.field(
        description="A squad working on the skill: one the person is in, else an active one "
        "with room."
    )
    community: Community | None = strawberry.field(
        description="A community about the skill: one the person is in, else the largest."
    )


@strawberry.type(description="Where someone stands against a role, and the way there.")
class GrowthPath:
    role: Role = strawberry.field(description="The role.")
    readiness: float = strawberry.field(
        description="Weighted coverage of the role's skills, 0–1 (docs/paths.md)."
    )
    bucket: Readiness = strawberry.field(description="READY_NOW (≥ 0.9), READY_SOON (≥ 0.7), …")
    gap: list[SkillGap] = strawberry.field(
        description="Required skills below their level, heaviest first."
    )
    steps: list[PathStep] = strawberry.field(
        description="The gap in order: prerequisites first, then weight, smaller gap, name."
    )
    progress_since_target: float | None = strawberry.field(
        description="Readiness gained since the role became the person's target (null when "
        "it is not their target)."
    )


def _growth_path(info: Info, projection: ReadModel, found: growth.GrowthPath) -> GrowthPath:
    def squad(g: GroupRecord | None) -> Squad | None:
        record = directory.squad_record(projection, g.id) if g is not None else None
        return Squad.of(record) if record is not None else None

    def community(g: GroupRecord | None) -> Community | None:
        record = directory.community_record(projection, g.id) if g is not None else None
        return Community.of(record) if record is not None else None

    return GrowthPath(
        role=Role.of(info, found.role),
        readiness=_percent(found.readiness),
        bucket=_bucket(found.readiness),
        gap=[SkillGap.of(projection, g) for g in found.gap],
        steps=[
            PathStep(
                skill=skill_of(projection, s.step.skill),
                current_level=s.step.current,
                required_level=s.step.required,
                weight=s.step.weight,
                prerequisites=[skill_of(projection, k) for k in s.step.prerequisites],
                mentors=[MentorSuggestion.of(projection, pair) for pair in s.mentors],
                squad=squad(s.squad),
                community=community(s.community),
            )
            for s in found.steps
        ],
        progress_since_target=None if found.progress is None else _percent(found.progress),
    )


async def path_of(info: Info, person_id: str, role: str | None) -> GrowthPath | None:
    """``Person.path``: the person's growth path to ``role`` (their target when left out)."""
    require(info.context.principal, Action.READ_PATHS, person_id)
    projection = await info.context.loaders.projection()
    person = projection.people.get(person_id)
    if person is None:
        raise NotFoundError(f"No person with id {person_id!r}.")
    if role is not None:
        chosen = find_role(projection, role)
    elif person.target_role is not None and person.target_role in projection.roles:
        chosen = projection.roles[person.target_role]
    else:
        return None
    projection, found = await off_the_loop(info, lambda p: growth.growth_path(p, person_id, chosen))
    return _growth_path(info, projection, found)


@strawberry.input(description="Whose bench HR looks at; every given condition must hold.")
class BenchScope:
    site: str | None = strawberry.field(default=None, description="Only this site.")
    function: str | None = strawberry.field(default=None, description="Only this function.")
    team: strawberry.ID | None = strawberry.field(default=None, description="Only this team.")


def _scope(projection: ReadModel, where: BenchScope | None) -> Scope:
    """The scope asked for, or BAD_USER_INPUT naming a site, function or team not in use."""
    if where is None:
        return Scope()
    index = projection.mentor_index
    for kind, value in (("site", where.site), ("function", where.function)):
        if value is None:
            continue
        known = sorted(str(v) for v in index.coded(kind)[1] if v)
        if value not in known:
            close = difflib.get_close_matches(value, known, n=3, cutoff=0.6)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise BadInput(f"No one works in the {kind} {value!r}.{hint}")
    if where.team is not None and str(where.team) not in projection.teams:
        close = difflib.get_close_matches(str(where.team), sorted(projection.teams), n=3)
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise BadInput(f"No team {str(where.team)!r}.{hint}")
    return Scope(
        site=where.site, function=where.function, team=str(where.team) if where.team else None
    )


@strawberry.type(description="How many people are how close to a role.")
class BenchCounts:
    key: str = strawberry.field(description="The site or function counted (empty: everyone).")
    ready_now: int = strawberry.field(description="Readiness ≥ 0.9.")
    ready_soon: int = strawberry.field(description="Readiness ≥ 0.7 and < 0.9.")
    further: int = strawberry.field(description="Readiness < 0.7.")
    total: int = strawberry.field(description="Everyone counted.")

    @classmethod
    def of(cls, key: str, c: rules.BenchCounts) -> BenchCounts:
        """The GraphQL view of bucket counts."""
        return cls(
            key=key,
            ready_now=c.ready_now,
            ready_soon=c.ready_soon,
            further=c.further,
            total=c.total,
        )


@strawberry.type(description="Bench strength for a role: who could step into it, how soon.")
class BenchStrength:
    role: Role = strawberry.field(description="The role.")
    overall: BenchCounts = strawberry.field(
        description="Everyone in scope who does not hold the role yet."
    )
    by_site: list[BenchCounts] = strawberry.field(description="The same, per site.")
    by_function: list[BenchCounts] = strawberry.field(description="The same, per function.")


@strawberry.type(description="Someone who could take over a role, and how ready they are.")
class Successor:
    person: Person = strawberry.field(description="The candidate.")
    readiness: float = strawberry.field(description="Readiness for the role, 0–1.")
    bucket: Readiness = strawberry.field(description="How soon.")


@strawberry.type(description="A team lead and the people most ready to succeed them.")
class Succession:
    lead: Person = strawberry.field(description="The team lead.")
    role: Role = strawberry.field(description="Their role.")
    successors: list[Successor] = strawberry.field(
        description="People in their team or reporting to them, most ready first (empty: "
        "nobody there yet)."
    )


@strawberry.type(
    description="Someone in a lead role whose skills fall below its profile, and who could "
    "coach them."
)
class PromotionTrap:
    person: Person = strawberry.field(description="The lead.")
    role: Role = strawberry.field(description="The role they hold.")
    readiness: float = strawberry.field(description="Readiness for their own role, below 0.9.")
    gap: list[SkillGap] = strawberry.field(description="Where they fall short.")
    coaches: list[MentorSuggestion] = strawberry.field(
        description="The best mentors for the first step of their journey, explained."
    )


@strawberry.type(description="Read role profiles, bench strength and succession.")
class PathQueries:
    @strawberry.field(description="Every role profile, by name.")
    async def roles(self, info: Info) -> list[Role]:
        require(info.context.principal, Action.READ_DIRECTORY)
        projection = await info.context.loaders.projection()
        ordered = sorted(projection.roles.values(), key=lambda r: r.name)
        return [Role.of(info, r) for r in ordered]

    @strawberry.field(description="A role profile by id or name (any case).")
    async def role(self, info: Info, name: str) -> Role:
        require(info.context.principal, Action.READ_DIRECTORY)
        return Role.of(info, find_role(await info.context.loaders.projection(), name))

    @strawberry.field(
        description="Bench strength for a role (HR and admins): everyone in scope who does not "
        "hold it yet, by readiness bucket, overall and by site and function."
    )
    async def bench_strength(
        self, info: Info, role: str, scope: BenchScope | None = None
    ) -> BenchStrength:
        require(info.context.principal, Action.READ_BENCH)
        projection = await info.context.loaders.projection()
        chosen = find_role(projection, role)
        where = _scope(projection, scope)
        projection, found = await off_the_loop(info, lambda p: growth.bench(p, chosen, where))
        return BenchStrength(
            role=Role.of(info, chosen),
            overall=BenchCounts.of("", found.overall),
            by_site=[BenchCounts.of(k, c) for k, c in found.by_site.items()],
            by_function=[BenchCounts.of(k, c) for k, c in found.by_function.items()],
        )

    @strawberry.field(
        description="Likely successors of every team lead in scope (HR and admins), leads by "
        "id, a page at a time (`first` at most 100)."
    )
    async def successors(
        self,
        info: Info,
        scope: BenchScope | None = None,
        per_lead: int = 3,
        offset: int = 0,
        first: int = 20,
    ) -> list[Succession]:
        require(info.context.principal, Action.READ_BENCH)
        if not 1 <= per_lead <= MAX_SUCCESSORS:
            raise BadInput(f"`perLead` must be from 1 to {MAX_SUCCESSORS}, not {per_lead}.")
        projection = await info.context.loaders.projection()
        where = _scope(projection, scope)
        projection, found = await off_the_loop(
            info, lambda p: growth.successions(p, where, first=per_lead)
        )
        return [
            Succession(
                lead=person_of(projection, s.lead),
                role=Role.of(info, s.role),
                successors=[
                    Successor(
                        person=person_of(projection, pid),
                        readiness=_percent(v),
                        bucket=_bucket(v),
                    )
                    for pid, v in s.successors
                ],
            )
            for s in page_slice(found, offset, first, cap=MAX_PAGE)
        ]

    @strawberry.field(
        description="People in a lead role (Team Lead, Operations Manager) in scope whose "
        "readiness for their own role is below 0.9, least ready first, each with coaches for "
        "the first step of their journey (HR and admins; `first` at most 100)."
    )
    async def promotion_trap(
        self,
        info: Info,
        scope: BenchScope | None = None,
        coaches: int = 3,
        offset: int = 0,
        first: int = 20,
    ) -> list[PromotionTrap]:
        require(info.context.principal, Action.READ_BENCH)
        if not 1 <= coaches <= MAX_COACHES:
            raise BadInput(f"`coaches` must be from 1 to {MAX_COACHES}, not {coaches}.")
        projection = await info.context.loaders.projection()
        where = _scope(projection, scope)
        page_slice([], offset, first, cap=MAX_PAGE)  # refuse a bad page before the work

        def work(p: ReadModel) -> list[tuple[growth.Trap, list[PairScore]]]:
            page = page_slice(growth.promotion_traps(p, where), offset, first, cap=MAX_PAGE)
            return [
                (
                    t,
                    mentoring.suggest_mentors(p, t.person, first=coaches, goal=t.first_step)
                    if t.first_step
                    else [],
                )
                for t in page
            ]

        projection, found = await off_the_loop(info, work)
        return [
            PromotionTrap(
                person=person_of(projection, t.person),
                role=Role.of(info, t.role),
                readiness=_percent(t.readiness),
                gap=[SkillGap.of(projection, g) for g in t.gap],
                coaches=[MentorSuggestion.of(projection, pair) for pair in pairs],
            )
            for t, pairs in found
        ]


@strawberry.type(description="Change role profiles and target roles.")
class PathMutations:
    @strawberry.mutation(
        description="Create a role profile, or replace the one with this name (HR and admins). "
        "Unknown skills get BAD_USER_INPUT with the closest names."
    )
    async def save_role(self, info: Info, input: RoleInput) -> Role:
        require(info.context.principal, Action.MANAGE_ROLES)
        catalog = await info.context.catalog()
        profile = roles.checked(
            RoleProfile(
                id="",
                name=input.name,
                job_role=input.job_role,
                requires=tuple(
                    RoleRequirement(catalog.require(q.skill).key, q.level, q.weight)
                    for q in input.requirements
                ),
            )
        )
        await info.context.write(roles.save_role, profile)
        return Role.of(info, find_role(await info.context.loaders.projection(), profile.id))

    @strawberry.mutation(
        description="Delete a role profile nobody holds or targets (HR and admins); one in use "
        "gets CONFLICT saying how many people hold and target it."
    )
    async def delete_role(self, info: Info, name: str) -> bool:
        require(info.context.principal, Action.MANAGE_ROLES)
        found = find_role(await info.context.loaders.projection(), name)
        await info.context.write(roles.delete_role, found.id)
        return True

    @strawberry.mutation(
        description="Choose the role a person grows towards (yourself when `personId` is left "
        "out; others need HR or admin); `role: null` clears it. Choosing the same role again "
        "keeps the date progress counts from."
    )
    async def set_target_role(
        self, info: Info, role: str | None, person_id: strawberry.ID | None = None
    ) -> Person:
        subject = str(person_id) if person_id is not None else info.context.principal.person_id
        require(info.context.principal, Action.SET_TARGET_ROLE, subject)
        await person_or_error(info, subject)
        role_id = None
        if role is not None:
            role_id = find_role(await info.context.loaders.projection(), role).id
        await info.context.write(roles.set_target_role, subject, role_id)
        return await person_or_error(info, subject)
