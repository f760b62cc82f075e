"""The impact report's input as a view of the read model: levels, dated changes, mentorships.

:func:`matching.health.impact.mentorship_impact` is pure; this view gives it each person's
levels now, goals and skill history (``LEVEL_CHANGE``) and every mentorship's dates and
rating, kept in step with the people and mentorships a change names.
"""

from __future__ import annotations

from graph.records import MentorshipRecord, PersonRecord
from matching.health.impact import ImpactInput, ImpactMentorship, ImpactPerson
from readmodel.store import ReadModel
from readmodel.views import ChangeSet, ViewSpec, register


def impact_person(p: PersonRecord) -> ImpactPerson:
    """What the impact comparison reads of one person."""
    return ImpactPerson(
        id=p.id,
        function=p.function,
        site=p.site,
        team=p.team,
        skills=p.skills,
        goals=frozenset(p.goals),
        history=tuple((c.at, c.skill, c.level) for c in p.history),
    )


def impact_mentorship(m: MentorshipRecord) -> ImpactMentorship:
    """What the impact report reads of one mentorship (its status as stored)."""
    return ImpactMentorship(
        id=m.id,
        mentor=m.mentor,
        mentee=m.mentee,
        status=m.status,
        focus=m.focus,
        requested_at=m.requested_at,
        responded_at=m.responded_at,
        ended_at=m.ended_at,
        expires_at=m.expires_at,
        rating=m.rating,
    )


def _build(model: ReadModel) -> ImpactInput:
    return ImpactInput(
        people={pid: impact_person(p) for pid, p in model.people.items()},
        mentorships={mid: impact_mentorship(m) for mid, m in model.mentorships.items()},
    )


def _apply(found: ImpactInput, model: ReadModel, changes: ChangeSet) -> bool:
    for pid in changes.people:
        person = model.people.get(pid)
        if person is None:
            found.people.pop(pid, None)
        else:
            found.people[pid] = impact_person(person)
    for mid in changes.mentorships:
        mentorship = model.mentorships.get(mid)
        if mentorship is None:
            found.mentorships.pop(mid, None)
        else:
            found.mentorships[mid] = impact_mentorship(mentorship)
    return True


IMPACT_INPUT: ViewSpec[ImpactInput] = register(
    ViewSpec(
        "impact input",
        build=_build,
        apply=_apply,
        depends_on=frozenset({"people", "mentorships"}),
        describe=lambda found: (
            dict(sorted(found.people.items())),
            dict(sorted(found.mentorships.items())),
        ),
    )
)
