"""GraphQL face of the matcher: mentor suggestions, assignment, squads and communities.

The algorithms live in :mod:`matching`; these resolvers check who may ask, turn
names into keys, run them on this process's projection and explain the result.
"""

from __future__ import annotations

import asyncio
import enum
from typing import Annotated, TypeVar

import strawberry

from api.context import Info, off_the_loop
from api.errors import BadInput, NotFoundError
from api.flow_process import flow_in_a_process
from api.pagination import check_range, page_slice
from api.permissions import Action, require
from api.roles import find_role
from api.types import Person, Skill, SquadRole, skill_view
from graph import mentorships
from matching import assignment, communities, mentoring, squads
from matching.exact import Certificate
from matching.mentor_index import CandidateFilter
from matching.scoring import PairScore
from matching.scoring import SkillMatch as SkillMatchRecord
from matching.views import Views
from readmodel import directory
from readmodel import paths as growth
from readmodel.store import ReadModel

T = TypeVar("T")

MAX_SUGGESTIONS = 50
MAX_TIME_LIMIT_SECONDS = 600
MAX_POOL = 10_000
MAX_LIST = 1000
STRONG_LEVEL = 4
"""The level from which a squad member counts as strong in a focus skill."""


def skill_of(projection: ReadModel, key: str) -> Skill:
    """A skill the projection refers to (by key alone, should it have gone since)."""
    return skill_view(projection, key) or Skill(key=key, name=key, category="", aliases=[])


def person_of(projection: ReadModel, person_id: str) -> Person:
    """A person of the projection, or NOT_FOUND."""
    found = directory.person_record(projection, person_id)
    if found is None:
        raise NotFoundError(f"No person with id {person_id!r}.")
    return Person.of(found)


@strawberry.type(description="A skill that scored in a pairing: who teaches it and how far apart.")
class SkillMatch:
    skill: Skill = strawberry.field(description="The skill the learner wants.")
    teacher_level: int = strawberry.field(
        description="The teacher's level, in `via` when given, else in `skill` (1–5)."
    )
    learner_level: int = strawberry.field(
        description="The learner's level in `skill` (0 when they do not have it)."
    )
    priority: int = strawberry.field(description="The learner's priority for it (1 is highest).")
    points: float = strawberry.field(description="What this skill added to the score.")
    via: Skill | None = strawberry.field(
        description="A related skill that earned partial credit, when the skill itself did not."
    )

    @classmethod
    def of(cls, projection: ReadModel, m: SkillMatchRecord) -> SkillMatch:
        """The GraphQL view of a scored skill."""
        return cls(
            skill=skill_of(projection, m.skill),
            teacher_level=m.teacher_level,
            learner_level=m.learner_level,
            priority=m.priority,
            points=round(m.points, 4),
            via=skill_of(projection, m.via) if m.via else None,
        )


@strawberry.type(description="A preference that added to a pairing's score.")
class AppliedPreference:
    name: str = strawberry.field(
        description="`shift_overlap`, `shared_language`, `cross_team` or `cross_function`."
    )
    points: float = strawberry.field(description="What it added to the score.")
    detail: str = strawberry.field(description="The preference in words.")


@strawberry.type(
    description="A mentor for someone, with the reasons, scored as in docs/matching.md."
)
class MentorSuggestion:
    mentor: Person = strawberry.field(description="The suggested mentor.")
    mentee: Person = strawberry.field(description="The person who would learn.")
    score: float = strawberry.field(description="Complementarity score; higher is better.")
    learning: float = strawberry.field(
        description="Share of the mentee's goals the mentor covers, weighted by priority (0–1)."
    )
    matched_skills: list[SkillMatch] = strawberry.field(
        description="Exactly the mentee's goals that scored, with both levels."
    )
    reciprocity: float = strawberry.field(
        description="How much of the mentor's own goals the mentee could teach back (0–1)."
    )
    taught_back: list[SkillMatch] = strawberry.field(
        description="The mentor's goals the mentee could help with."
    )
    preferences: list[AppliedPreference] = strawberry.field(
        description="Preferences that applied (shift overlap, language, cross-team, cross-function)."
    )
    responsiveness: float = strawberry.field(
        description="Factor from the mentor's answered and expired requests (0–1, 1 is best)."
    )
    explanation: str = strawberry.field(description="The reasons in one sentence, for people.")

    @classmethod
    def of(cls, projection: ReadModel, pair: PairScore) -> MentorSuggestion:
        """The GraphQL view of a scored pair."""
        return cls(
            mentor=person_of(projection, pair.mentor),
            mentee=person_of(projection, pair.mentee),
            score=round(pair.score, 4),
            learning=round(pair.learning, 4),
            matched_skills=[SkillMatch.of(projection, m) for m in pair.matched],
            reciprocity=round(pair.reciprocity, 4),
            taught_back=[SkillMatch.of(projection, m) for m in pair.taught_back],
            preferences=[
                AppliedPreference(name=p.name, points=round(p.points, 4), detail=p.detail)
                for p in pair.preferences
            ],
            responsiveness=round(pair.responsiveness, 4),
            explanation=explain(projection, pair),
        )


def explain(projection: ReadModel, pair: PairScore) -> str:
    """One readable sentence: what the mentor teaches, what comes back, what else fits."""
    names = projection.profiles.skill_names
    parts = []
    for m in pair.matched:
        what = names.get(m.skill, m.skill)
        if m.via:
            parts.append(
                f"{what} through {names.get(m.via, m.via)} (level {m.teacher_level}; "
                f"you are at {m.learner_level})"
            )
        else:
            parts.append(f"{what} (level {m.teacher_level}; you are at {m.learner_level})")
    sentence = "Can teach you " + "; ".join(parts) + "."
    if pair.taught_back:
        back = ", ".join(names.get(m.skill, m.skill) for m in pair.taught_back)
        sentence += f" You could teach them {back} in return."
    if pair.preferences:
        sentence += " Also: " + "; ".join(p.detail for p in pair.preferences) + "."
    if pair.responsiveness < 1:
        sentence += f" Answers {pair.responsiveness:.0%} of requests."
    return sentence


@strawberry.input(description="Conditions on suggested mentors; all given ones must hold.")
class MentorFilter:
    site: str | None = strawberry.field(default=None, description="Mentors at this site.")
    function: str | None = strawberry.field(default=None, description="Mentors in this function.")
    shift: str | None = strawberry.field(default=None, description="Mentors on this shift.")
    language: str | None = strawberry.field(default=None, description="Mentors speaking this.")
    teaches: str | None = strawberry.field(
        default=None, description="A skill (name or alias) the mentor holds at level 3 or more."
    )


@strawberry.enum(description="How `assignMentors` computes the assignment.")
class AssignmentMode(enum.Enum):
    OPTIMAL = "optimal"
    STABLE = "stable"
    GREEDY = "greedy"


@strawberry.enum(description="What an `OPTIMAL` assignment maximises first.")
class AssignmentObjective(enum.Enum):
    SCORE = "score"
    PARTICIPATION = "participation"


@strawberry.input(description="Who an assignment covers; every given condition must hold.")
class AssignmentScope:
    site: str | None = strawberry.field(default=None, description="Only this site.")
    function: str | None = strawberry.field(default=None, description="Only this function.")
    team: strawberry.ID | None = strawberry.field(default=None, description="Only this team.")


@strawberry.type(description="A mentee left without a mentor, and why.")
class UnmatchedMentee:
    person: Person = strawberry.field(description="The mentee.")
    reason: str = strawberry.field(
        description="Checked over every eligible pair: `no_candidates` (no one in scope is "
        "eligible to mentor them), `mentors_full` (every eligible mentor is at capacity in "
        "this plan) or `not_reached` (an eligible mentor has room: only in an OPTIMAL plan "
        "that is not certified, or a GREEDY one)."
    )


@strawberry.type(description="How many mentees each mentor received.")
class LoadBucket:
    mentees: int = strawberry.field(description="Mentees assigned.")
    mentors: int = strawberry.field(description="Mentors who received that many.")


@strawberry.type(
    description="What is proven about an `OPTIMAL` plan, over every eligible pair in scope."
)
class AssignmentCertificate:
    certified: bool = strawberry.field(
        description="The plan is optimal over every eligible pair (scores in millionths): "
        "dual prices cover every pair and sum to the plan's value. False when the time "
        "limit ran out first: the plan is then the best found, not called optimal."
    )
    bound: float = strawberry.field(
        description="No plan scores more in total (for PARTICIPATION: with this many "
        "mentees matched); proven even when not certified."
    )
    gap: float = strawberry.field(
        description="`bound − totalScore`; when certified, only the rounding to millionths."
    )
    matched_bound: int = strawberry.field(
        description="No plan matches more mentees (PARTICIPATION; for SCORE, the mentees with "
        "an eligible mentor or the places, whichever is fewer)."
    )
    rounds: int = strawberry.field(description="Flow solves before the proof (or the limit).")
    pairs_priced: int = strawberry.field(
        description="Pairs scored to price them; every other eligible pair was ruled out by "
        "an upper bound on its score."
    )
    seconds: float = strawberry.field(description="Time the solve took.")

    @classmethod
    def of(cls, c: Certificate) -> AssignmentCertificate:
        """The GraphQL view of a certificate."""
        return cls(
            certified=c.certified,
            bound=round(c.bound, 6),
            gap=round(c.gap, 6),
            matched_bound=c.matched_bound,
            rounds=c.rounds,
            pairs_priced=c.pairs_priced,
            seconds=round(c.seconds, 3),
        )


@strawberry.type(description="The outcome of `assignMentors`.")
class AssignmentResult:
    mode: AssignmentMode = strawberry.field(description="How it was computed.")
    objective: AssignmentObjective = strawberry.field(description="What it maximised first.")
    committed: bool = strawberry.field(
        description="Whether the pairs were created as mentorship requests."
    )
    plan: strawberry.Private[mentoring.AssignmentPlan]
    projection: strawberry.Private[ReadModel]
    pair_count: int = strawberry.field(description="How many mentees were assigned a mentor.")
    unmatched_count: int = strawberry.field(description="How many mentees were left out.")
    total_score: float = strawberry.field(description="Sum of the pairs' scores.")
    mentees: int = strawberry.field(description="Mentees in scope with open goals.")
    mentors: int = strawberry.field(description="Mentors in scope with spare capacity.")
    load: list[LoadBucket] = strawberry.field(description="Mentor load distribution.")
    mentorship_ids: list[strawberry.ID] = strawberry.field(
        description="Ids of the requests created (empty on a dry run)."
    )
    certificate: AssignmentCertificate | None = strawberry.field(
        description="For `OPTIMAL`: whether the plan is proven optimal, and the bound."
    )

    @strawberry.field(
        description="Assigned pairs with reasons, by mentee id, a slice at a time (`first` at "
        "most 1000)."
    )
    def pairs(self, offset: int = 0, first: int = 100) -> list[MentorSuggestion]:
        chosen = page_slice(self.plan.assignment.pairs, offset, first, cap=MAX_LIST)
        return [
            MentorSuggestion.of(self.projection, self.plan.explanations[(p.mentee, p.mentor)])
            for p in chosen
        ]

    @strawberry.field(description="Mentees left out and why, by id, a slice at a time.")
    def unmatched(self, offset: int = 0, first: int = 100) -> list[UnmatchedMentee]:
        left = page_slice(
            sorted(self.plan.assignment.unmatched.items()), offset, first, cap=MAX_LIST
        )
        return [
            UnmatchedMentee(person=person_of(self.projection, pid), reason=reason.value)
            for pid, reason in left
        ]


@strawberry.type(description="A member of a suggested squad, shaped like `SquadMemberInput`.")
class SuggestedMember:
    person_id: strawberry.ID = strawberry.field(description="The person.")
    role: SquadRole = strawberry.field(
        description="`EXPERT` if strong in a covered focus skill, `LEARNER` if they learn from "
        "a member, else `MEMBER`."
    )


@strawberry.type(
    description="A suggested squad shaped like `SquadInput`: pass it to `createSquad`."
)
class SuggestedSquadInput:
    name: str = strawberry.field(description="A name to start from.")
    purpose: str = strawberry.field(description="What the squad is for.")
    focus_skills: list[str] = strawberry.field(description="Focus skill keys.")
    members: list[SuggestedMember] = strawberry.field(description="The members and their roles.")


@strawberry.type(description="A suggested squad; `createSquad(input: squadInput)` creates it.")
class SquadSuggestion:
    squad_input: SuggestedSquadInput = strawberry.field(
        description="The squad as `createSquad` takes it."
    )
    member_ids: list[strawberry.ID] = strawberry.field(description="Who is in it.")
    members: list[Person] = strawberry.field(description="The members.")
    focus_skills: list[Skill] = strawberry.field(description="The focus skills asked for.")
    covered: list[Skill] = strawberry.field(description="Focus skills someone holds at level ≥ 4.")
    missing: list[Skill] = strawberry.field(
        description="Focus skills no member holds at level ≥ 4."
    )
    functions: list[str] = strawberry.field(
        description="Functions in the squad, as `function: count`."
    )
    learners_served: int = strawberry.field(
        description="Members who want a skill another member is strong in."
    )


@strawberry.type(description="Squads suggested from a pool, with how well they cover the focus.")
class SquadPlan:
    squads: list[SquadSuggestion] = strawberry.field(description="The squads.")
    coverage: int = strawberry.field(description="Focus skills covered, summed over squads.")
    coverage_bound: int = strawberry.field(
        description="The most the pool allows: per focus skill, min(squads, strong holders)."
    )
    learners_served: int = strawberry.field(description="Learners with a teacher in their squad.")
    left_out: list[strawberry.ID] = strawberry.field(description="Pool members not placed.")


@strawberry.type(description="A community recommended to someone, and why.")
class CommunityRecommendation:
    community_id: strawberry.ID = strawberry.field(description="The community's id.")
    name: str = strawberry.field(description="The community's name.")
    score: float = strawberry.field(description="Higher is a better fit.")
    learn: list[Skill] = strawberry.field(description="Topics among the person's goals.")
    share: list[Skill] = strawberry.field(description="Topics the person could teach.")
    known_members: list[Person] = strawberry.field(description="Members they already know.")


@strawberry.type(description="A cluster of people tied to each other that no community names yet.")
class EmergingCommunity:
    members: list[Person] = strawberry.field(description="The people in the cluster.")
    skills: list[Skill] = strawberry.field(description="Skills most shared among them.")
    closest_community_id: strawberry.ID | None = strawberry.field(
        description="The existing community overlapping it most, if any."
    )
    overlap: float = strawberry.field(description="Jaccard overlap with that community (0–1).")


def _squad_input(
    projection: ReadModel, q: squads.SquadSuggestion, number: int, focus: list[str]
) -> SuggestedSquadInput:
    profiles = projection.profiles
    names = [profiles.skill_names.get(k, k) for k in focus]
    learners = {learner for learner, _, _ in q.learners}
    roles = {}
    for pid in q.members:
        if any(profiles[pid].skills.get(k, 0) >= STRONG_LEVEL for k in q.covered):
            roles[pid] = SquadRole.EXPERT
        elif pid in learners:
            roles[pid] = SquadRole.LEARNER
        else:
            roles[pid] = SquadRole.MEMBER
    return SuggestedSquadInput(
        name=f"{' & '.join(names[:2]) or 'Learning'} squad {number}",
        purpose="Cross-functional squad on " + (", ".join(names) or "shared learning goals") + ".",
        focus_skills=list(focus),
        members=[SuggestedMember(person_id=strawberry.ID(p), role=roles[p]) for p in q.members],
    )


async def _projection(info: Info) -> ReadModel:
    return await info.context.loaders.projection()


async def _skill_keys(info: Info, names: list[str]) -> list[str]:
    catalog = await info.context.catalog()
    return list(dict.fromkeys(catalog.require(n).key for n in names))


def _community_name(projection: ReadModel, community_id: str) -> str:
    found = projection.communities.get(community_id)
    return found.name if found is not None and found.name else community_id


def _ensure_person(projection: ReadModel, person_id: str) -> None:
    if person_id not in projection.profiles:
        raise NotFoundError(f"No person with id {person_id!r}.")


@strawberry.type(description="Read the skills graph.")
class MatchingQueries:
    @strawberry.field(
        description="Mentors for a person (the caller when `personId` is left out), best first, "
        "each with the reasons. Someone else's need the HR or admin role."
    )
    async def mentor_suggestions(
        self,
        info: Info,
        person_id: strawberry.ID | None = None,
        first: int = 10,
        filter: MentorFilter | None = None,
    ) -> list[MentorSuggestion]:
        subject = person_id or info.context.principal.person_id
        require(info.context.principal, Action.SUGGEST_MENTORS, subject)
        check_range("first", first, 1, MAX_SUGGESTIONS)
        _ensure_person(await _projection(info), subject)
        filters = None
        if filter is not None:
            teaches = (await _skill_keys(info, [filter.teaches]))[0] if filter.teaches else None
            filters = CandidateFilter(
                site=filter.site,
                function=filter.function,
                shift=filter.shift,
                language=filter.language,
                teaches=teaches,
            )
        projection, found = await off_the_loop(
            info, lambda p: mentoring.suggest_mentors(p, subject, first=first, filters=filters)
        )
        return [MentorSuggestion.of(projection, pair) for pair in found]

    @strawberry.field(
        description="Split a pool of people into `count` squads of `size` that cover the focus "
        "skills, mix functions and pair learners with teachers (moderators)."
    )
    async def suggest_squads(
        self,
        info: Info,
        pool: list[strawberry.ID],
        size: int,
        count: int = 1,
        focus_skills: list[str] | None = None,
    ) -> SquadPlan:
        require(info.context.principal, Action.MANAGE_SQUADS)
        check_range("size", size, 2, 12)
        check_range("count", count, 1, 1000)
        if len(pool) > MAX_POOL:
            raise BadInput(f"A pool holds at most {MAX_POOL} people, not {len(pool)}.")
        pool_ids = list(dict.fromkeys(str(p) for p in pool))
        if size * count > len(pool_ids):
            raise BadInput(
                f"{count} squad(s) of {size} need {size * count} people; the pool has "
                f"{len(pool_ids)}."
            )
        focus = await _skill_keys(info, focus_skills or [])
        projection = await _projection(info)
        profiles = projection.profiles
        for pid in pool_ids:
            _ensure_person(projection, pid)
        members = [
            squads.Member(
                id=pid,
                function=profiles[pid].function,
                skills=profiles[pid].skills,
                goals=profiles[pid].goals,
            )
            for pid in pool_ids
        ]
        plan = await asyncio.to_thread(
            squads.suggest_squads, members, size=size, count=count, focus=focus
        )
        return SquadPlan(
            squads=[
                SquadSuggestion(
                    squad_input=_squad_input(projection, q, n, focus),
                    member_ids=[strawberry.ID(m) for m in q.members],
                    members=[person_of(projection, m) for m in q.members],
                    focus_skills=[skill_of(projection, k) for k in focus],
                    covered=[skill_of(projection, k) for k in q.covered],
                    missing=[skill_of(projection, k) for k in q.missing],
                    functions=[f"{f}: {n}" for f, n in sorted(q.functions.items())],
                    learners_served=len({learner for learner, _, _ in q.learners}),
                )
                for n, q in enumerate(plan.squads, start=1)
            ],
            coverage=plan.coverage,
            coverage_bound=plan.coverage_bound,
            learners_served=plan.learners_served,
            left_out=[strawberry.ID(p) for p in plan.left_out],
        )

    @strawberry.field(
        description="Communities a person (the caller when left out) is not in yet, best first."
    )
    async def recommend_communities(
        self, info: Info, person_id: strawberry.ID | None = None, first: int = 5
    ) -> list[CommunityRecommendation]:
        subject = person_id or info.context.principal.person_id
        require(info.context.principal, Action.READ_GOALS, subject)
        check_range("first", first, 1, MAX_SUGGESTIONS)
        _ensure_person(await _projection(info), subject)
        projection, found = await off_the_loop(
            info, lambda p: communities.recommend_communities(p, subject, first=first)
        )
        return [
            CommunityRecommendation(
                community_id=strawberry.ID(c.community),
                name=_community_name(projection, c.community),
                score=round(c.score, 4),
                learn=[skill_of(projection, k) for k in c.learn],
                share=[skill_of(projection, k) for k in c.share],
                known_members=[person_of(projection, p) for p in c.known],
            )
            for c in found
        ]

    @strawberry.field(
        description="Clusters of people tied by mentorships, squads and communities that no "
        "community names yet, for moderators to formalise."
    )
    async def emerging_communities(
        self, info: Info, min_size: int = 4, first: int = 10
    ) -> list[EmergingCommunity]:
        require(info.context.principal, Action.MANAGE_COMMUNITIES)
        check_range("minSize", min_size, 2, 1000)
        check_range("first", first, 1, MAX_SUGGESTIONS)
        projection, found = await off_the_loop(
            info, lambda p: communities.emerging_communities(p, min_size=min_size)[:first]
        )
        return [
            EmergingCommunity(
                members=[person_of(projection, p) for p in c.members],
                skills=[skill_of(projection, k) for k in c.skills],
                closest_community_id=strawberry.ID(c.closest) if c.closest else None,
                overlap=round(c.overlap, 4),
            )
            for c in found
        ]


@strawberry.type(description="Change the skills graph.")
class MatchingMutations:
    @strawberry.mutation(
        description="Assign mentors to every mentee in scope with open goals, within each "
        "mentor's spare capacity (HR and admins). A dry run unless `commit` is true, which "
        "creates the pairs as mentorship requests in one transaction."
    )
    async def assign_mentors(
        self,
        info: Info,
        scope: AssignmentScope | None = None,
        mode: AssignmentMode = AssignmentMode.OPTIMAL,
        objective: AssignmentObjective = AssignmentObjective.SCORE,
        commit: Annotated[
            bool, strawberry.argument(description="Create the requests (default: dry run).")
        ] = False,
        time_limit_seconds: Annotated[
            int,
            strawberry.argument(
                description="Seconds `OPTIMAL` may spend proving its plan (1–600); when they "
                "run out it returns its best plan with `certificate.certified: false`."
            ),
        ] = 60,
        role: Annotated[
            str | None,
            strawberry.argument(
                description="Run a pipeline programme toward this role (name or id): the "
                "mentees are the people in scope whose target role it is, and their goals for "
                "this run are their gap to it, weighted by the role (docs/paths.md)."
            ),
        ] = None,
    ) -> AssignmentResult:
        require(info.context.principal, Action.ASSIGN_MENTORS)
        check_range("timeLimitSeconds", time_limit_seconds, 1, MAX_TIME_LIMIT_SECONDS)
        where = scope or AssignmentScope()
        chosen = None
        if role is not None:
            chosen = find_role(await info.context.loaders.projection(), role)

        def work(p: ReadModel) -> mentoring.AssignmentPlan:
            views: Views = p
            only = None
            if chosen is not None:
                views = programme = growth.programme(p, chosen)
                only = programme.participants
            return mentoring.plan_assignment(
                views,
                mentoring.Scope(site=where.site, function=where.function, team=where.team),
                mode=mentoring.Mode(mode.value),
                objective=assignment.Objective(objective.value),
                time_limit=time_limit_seconds,
                flow=flow_in_a_process,
                only=only,
            )

        projection, plan = await off_the_loop(info, work)
        result = plan.assignment
        ids: list[str] = []
        if commit and result.pairs:
            ids = await info.context.write(
                mentorships.create_requests,
                [
                    (
                        p.mentee,
                        p.mentor,
                        [m.skill for m in plan.explanations[(p.mentee, p.mentor)].matched],
                    )
                    for p in result.pairs
                ],
                ttl=info.context.settings.request_ttl,
                message="Suggested by the organisation-wide mentor assignment."
                if chosen is None
                else f"Suggested by the {chosen.name} pipeline programme.",
            )
        buckets: dict[int, int] = {}
        for n in result.load.values():
            buckets[n] = buckets.get(n, 0) + 1
        return AssignmentResult(
            mode=mode,
            objective=objective,
            committed=bool(ids),
            plan=plan,
            projection=projection,
            pair_count=len(result.pairs),
            unmatched_count=len(result.unmatched),
            total_score=round(result.total_score, 4),
            mentees=plan.mentees,
            mentors=plan.mentors,
            load=[LoadBucket(mentees=k, mentors=v) for k, v in sorted(buckets.items())],
            mentorship_ids=[strawberry.ID(i) for i in ids],
            certificate=AssignmentCertificate.of(plan.certificate) if plan.certificate else None,
        )
