"""The matcher's views on the read model: profiles, the mentor index, HR's population.

Each is a :class:`~readmodel.views.ViewSpec`: built from the records on first use and
refreshed for the people, mentorships and groups a change names. The profile is derived
from a person's record here, once (:func:`profile_of`); the directory, the matcher and
HR's metrics all read the same facts.
"""

from __future__ import annotations

import datetime as dt

from graph.records import MentorshipRecord, PersonRecord
from matching.health import population as health
from matching.health.population import Population
from matching.mentor_index import MentorIndex
from matching.profiles import OPEN_STATUSES, Profile, Profiles
from readmodel.store import ReadModel
from readmodel.views import ChangeSet, ViewSpec, register


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def profile_of(model: ReadModel, p: PersonRecord, now: dt.datetime) -> Profile:
    """What matching needs of one person: their record and their open mentorships."""
    load = 0
    partners: set[str] = set()
    mentored = False
    for m in model.mentorships_of(p.id):
        if m.status_at(now) not in OPEN_STATUSES:
            continue
        if m.mentor == p.id:
            load += 1
            partners.add(m.mentee)
        elif m.mentee == p.id:
            mentored = True
            partners.add(m.mentor)
    return Profile(
        id=p.id,
        name=p.name,
        team=p.team,
        manager=p.manager,
        function=p.function,
        site=p.site,
        shift=p.shift or None,
        timezone=p.timezone or None,
        languages=p.languages,
        skills=p.skills,
        goals=p.goals,
        capacity=p.capacity,
        open_to_mentoring=p.open_to_mentoring,
        open_to_being_mentored=p.open_to_being_mentored,
        shares_goals=p.share_goals,
        load=load,
        partners=frozenset(partners),
        mentored=mentored,
        answered=p.requests_answered,
        expired=p.requests_expired,
        squads=tuple(sorted(p.squads)),
        communities=p.communities,
    )


def _build_profiles(model: ReadModel) -> Profiles:
    profiles = Profiles(model.related, {k: s.name or k for k, s in model.skills.items()})
    now = _now()
    for pid in sorted(model.people):
        profiles.put(profile_of(model, model.people[pid], now))
    return profiles


def _apply_profiles(profiles: Profiles, model: ReadModel, changes: ChangeSet) -> bool:
    now = _now()
    for pid in changes.people:
        found = model.people.get(pid)
        if found is None:
            profiles.drop(pid)
        else:
            profiles.put(profile_of(model, found, now))
    return True


PROFILES: ViewSpec[Profiles] = register(
    ViewSpec(
        "profiles",
        build=_build_profiles,
        apply=_apply_profiles,
        depends_on=frozenset({"people", "mentorships"}),
        describe=lambda profiles: dict(sorted(profiles.items())),
    )
)


def _apply_index(index: MentorIndex, model: ReadModel, changes: ChangeSet) -> bool:
    return index.refresh(model.profiles, sorted(changes.people))


MENTOR_INDEX: ViewSpec[MentorIndex] = register(
    ViewSpec(
        "mentor index",
        build=lambda model: MentorIndex(model.profiles),
        apply=_apply_index,
        depends_on=frozenset({"people", "mentorships"}),
        describe=lambda index: {pid: index.row(pid) for pid in index.ids},
        after=(PROFILES,),  # type: ignore[arg-type]
    )
)


def _mentorship(m: MentorshipRecord, now: dt.datetime) -> health.MentorshipRecord:
    return health.MentorshipRecord(
        m.id, m.mentor, m.mentee, m.status_at(now), m.focus, m.requested_at
    )


def _group(model: ReadModel, kind: str, group_id: str) -> health.GroupRecord | None:
    found = (model.squads if kind == "squad" else model.communities).get(group_id)
    if found is None:
        return None
    members = sorted(pid for pid in model.members(kind, group_id) if pid in model.people)
    joined = {
        pid: at for pid in members if (at := model.people[pid].joined.get(group_id)) is not None
    }
    moderators = model.moderators(group_id) if kind == "community" else set()
    return health.GroupRecord(
        kind=kind,
        id=group_id,
        status=found.status,
        created_at=found.created_at,
        last_activity_at=found.last_activity_at,
        skills=found.skills,
        members=tuple(members),
        joined_at=joined,
        moderators=tuple(sorted(pid for pid in moderators if pid in model.people)),
    )


def _build_population(model: ReadModel) -> Population:
    now = _now()
    groups = [
        g
        for kind, ids in (("squad", model.squads), ("community", model.communities))
        for gid in ids
        if (g := _group(model, kind, gid)) is not None
    ]
    population = Population(
        model.profiles.by_id, (_mentorship(m, now) for m in model.mentorships.values()), groups
    )
    population.table  # built with the model, not on HR's first request  # noqa: B018
    return population


def _apply_population(population: Population, model: ReadModel, changes: ChangeSet) -> bool:
    if population.people is not model.profiles.by_id:
        return False
    now = _now()
    for mid in changes.mentorships:
        found = model.mentorships.get(mid)
        if found is None:
            population.drop_mentorship(mid)
        else:
            population.put_mentorship(_mentorship(found, now))
    for kind, ids in (("squad", changes.squads), ("community", changes.communities)):
        for gid in ids:
            group = _group(model, kind, gid)
            if group is None:
                population.drop_group(kind, gid)
            else:
                population.put_group(group)
    arrived_or_left = False
    for pid, old in changes.before.items():
        new = model.people.get(pid)
        arrived_or_left |= (old is None) != (new is None)
        if old is None or new is None or old.team != new.team:
            population.set_team(pid, old.team if old else None, new.team if new else None)
    if arrived_or_left:
        population.people_changed()
    elif changes.people:
        population.profiles_changed(changes.people)
    return True


def _describe_population(population: Population) -> object:
    return (
        population.ids,
        population.mentorships,
        population.groups,
        {team: sorted(members) for team, members in population.team_members.items()},
        {pid: sorted(population.partners_of(pid)) for pid in population.ids},
    )


POPULATION: ViewSpec[Population] = register(
    ViewSpec(
        "population",
        build=_build_population,
        apply=_apply_population,
        depends_on=frozenset({"people", "mentorships", "groups"}),
        describe=_describe_population,
        after=(PROFILES,),  # type: ignore[arg-type]
    )
)
