"""GraphQL face of HR's mentoring-impact report (:mod:`matching.health.impact`).

The figures come with the light network-health report of the same scope (the same cache,
the same worker thread): ``docs/health.md``, *Impact*, defines each one and says what the
comparison cannot claim.
"""

from __future__ import annotations

import datetime as dt

import strawberry

from api.context import Info
from api.health import MAX_LIST, HealthScopeInput, current_impact, scope_name, to_scope
from api.matching import skill_of
from api.pagination import page_slice
from api.permissions import Action, require
from api.types import Skill
from graph import sessions
from graph.sessions import Attendance
from matching.health.impact import GainComparison, Impact, ImpactCell
from readmodel.store import ReadModel


@strawberry.type(description="Mean level gain of mentored focus skills against comparable people.")
class GainComparisonView:
    items: int = strawberry.field(description="Items (a mentorship's focus skill) compared.")
    mentored_gain: float | None = strawberry.field(
        description="Mean gain of the mentees over their windows; null when nothing compared."
    )
    comparison_gain: float | None = strawberry.field(
        description="Mean over the items of the mean gain of each item's comparable people."
    )
    difference: float | None = strawberry.field(
        description="Mentored gain minus comparison gain: an association, not an effect."
    )

    @classmethod
    def of(cls, g: GainComparison) -> GainComparisonView:
        """The GraphQL view of a comparison."""
        return cls(
            items=g.items,
            mentored_gain=g.mentored_gain,
            comparison_gain=g.comparison_gain,
            difference=g.difference,
        )


@strawberry.type(description="The compared items of one skill, starting level and function.")
class ImpactCellRow:
    skill: Skill = strawberry.field(description="The focus skill.")
    function: str = strawberry.field(description="The mentees' (and comparable people's) function.")
    start_level: int = strawberry.field(description="Level at the start of the mentorship.")
    items: int = strawberry.field(description="Items compared.")
    comparable: int = strawberry.field(description="Distinct comparable people over those items.")
    during: GainComparisonView = strawberry.field(description="Gain from start to end.")
    after: GainComparisonView = strawberry.field(
        description="Gain from start to `afterDays` after the end (ended mentorships)."
    )


@strawberry.type(description="Mentees' ratings of ended mentorships.")
class ImpactRatings:
    count: int = strawberry.field(description="Ratings given.")
    mean: float | None = strawberry.field(description="Their mean (1–5); null when none.")
    distribution: list[int] = strawberry.field(
        description="How many ratings of 1, 2, 3, 4 and 5 (five counts)."
    )


@strawberry.type(description="How mentors answered the requests of mentees in scope.")
class ImpactResponses:
    requests: int = strawberry.field(description="Requests made, any status.")
    answered: int = strawberry.field(description="Accepted or declined.")
    expired: int = strawberry.field(description="Expired unanswered.")
    pending: int = strawberry.field(description="Still awaiting an answer.")
    answered_share: float = strawberry.field(description="Answered over answered and expired.")
    median_hours: float | None = strawberry.field(
        description="Median hours from request to answer; null when none is dated."
    )
    p90_hours: float | None = strawberry.field(
        description="90th percentile of hours from request to answer."
    )


@strawberry.type(description="Community sessions attended by the people in scope.")
class ImpactSessions:
    attended: int = strawberry.field(description="Attendances recorded (a person, a session).")
    attendees: int = strawberry.field(description="People who attended at least one session.")
    sessions: int = strawberry.field(description="Sessions at least one of them attended.")


@strawberry.type(
    description="Skill-level gain on mentored focus skills against comparable people not "
    "mentored on them, mentor ratings, response times and community sessions attended "
    "(docs/health.md, Impact)."
)
class ImpactReport:
    impact: strawberry.Private[Impact]
    projection: strawberry.Private[ReadModel]
    scope: str = strawberry.field(description="`org`, or the scope's conditions.")
    as_of: dt.datetime = strawberry.field(description="When the figures were computed.")
    after_days: int = strawberry.field(description="How long after the end lasting gain is read.")
    min_comparison: int = strawberry.field(
        description="Items with fewer comparable people are left out."
    )
    items: int = strawberry.field(
        description="Focus skills of mentorships that became active, mentee in scope."
    )
    left_out: int = strawberry.field(description="Items with too few comparable people.")
    during: GainComparisonView = strawberry.field(description="Gain from start to end.")
    after: GainComparisonView = strawberry.field(
        description="Gain from start to `afterDays` after the end."
    )
    ratings: ImpactRatings = strawberry.field(description="Ratings of ended mentorships.")
    sessions: ImpactSessions = strawberry.field(
        description="Community sessions attended by people in scope (docs/sessions.md)."
    )
    responses: ImpactResponses = strawberry.field(description="Answers to requests.")
    cell_count: int = strawberry.field(description="Cells (skill, function, level) compared.")

    @strawberry.field(
        description="The compared items by skill, function and starting level, the most "
        "items first, a slice at a time."
    )
    def cells(self, offset: int = 0, first: int = 50) -> list[ImpactCellRow]:
        ordered = sorted(
            self.impact.cells, key=lambda c: (-c.during.items, c.skill, c.function, c.start_level)
        )
        return [self._cell(c) for c in page_slice(ordered, offset, first, cap=MAX_LIST)]

    def _cell(self, c: ImpactCell) -> ImpactCellRow:
        return ImpactCellRow(
            skill=skill_of(self.projection, c.skill),
            function=c.function,
            start_level=c.start_level,
            items=c.items,
            comparable=c.comparable,
            during=GainComparisonView.of(c.during),
            after=GainComparisonView.of(c.after),
        )


def impact_report(
    projection: ReadModel, scope_key: str, impact: Impact, attended: Attendance
) -> ImpactReport:
    """The GraphQL view of one scope's impact figures."""
    r, s = impact.ratings, impact.responses
    return ImpactReport(
        impact=impact,
        projection=projection,
        scope=scope_key,
        as_of=impact.as_of,
        after_days=impact.after_days,
        min_comparison=impact.min_comparison,
        items=impact.items,
        left_out=impact.left_out,
        during=GainComparisonView.of(impact.during),
        after=GainComparisonView.of(impact.after),
        ratings=ImpactRatings(count=r.count, mean=r.mean, distribution=list(r.distribution)),
        sessions=ImpactSessions(
            attended=attended.attended, attendees=attended.attendees, sessions=attended.sessions
        ),
        responses=ImpactResponses(
            requests=s.requests,
            answered=s.answered,
            expired=s.expired,
            pending=s.pending,
            answered_share=s.answered_share,
            median_hours=s.median_hours,
            p90_hours=s.p90_hours,
        ),
        cell_count=len(impact.cells),
    )


@strawberry.type(description="Read the skills graph.")
class ImpactQueries:
    @strawberry.field(
        description="Mentoring impact for everyone or one site, team or function (mentees "
        "in scope): level gain against comparable people, ratings, response times (HR and "
        "admins)."
    )
    async def impact_report(
        self, info: Info, scope: HealthScopeInput | None = None
    ) -> ImpactReport:
        require(info.context.principal, Action.READ_NETWORK_HEALTH)
        where = to_scope(scope)
        projection = await info.context.loaders.projection()
        found = await current_impact(info, where)
        attended = await info.context.store.read(
            sessions.attendance, site=where.site, team=where.team, function=where.function
        )
        return impact_report(projection, scope_name(where), found, attended)
