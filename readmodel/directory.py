"""Profiles and the directory, read from the read model as :mod:`graph.model` records.

The people, teams, skills, mentorships, squads and communities these return equal what
the store's own reads return at the same version, in the same order
(``tests/api/test_directory.py`` holds them equal). A person's record is made on demand
from the one record the model holds; what is costly to recompute per request — the
directory's sorted lists, facet counts, group records, the skill catalog — are views
kept in step with each change.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from graph import model
from graph.records import GroupRecord, MentorshipRecord, PersonRecord
from graph.skills import SkillCatalog
from readmodel.store import ReadModel
from readmodel.views import ChangeSet, ViewSpec, register

_EPOCH = dt.datetime.min.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class PeopleFilter:
    """Which people a directory search returns; every given condition must hold."""

    team_id: str | None = None
    site: str | None = None
    function: str | None = None
    shift: str | None = None
    skill: str | None = None
    """A skill key; with ``min_level``, people who have it at that level or higher."""
    min_level: int = 1
    open_to_mentoring: bool | None = None

    def admits(self, p: PersonRecord) -> bool:
        """Whether ``p`` meets every condition."""
        return (
            (self.site is None or p.site == self.site)
            and (self.function is None or p.function == self.function)
            and (self.shift is None or p.shift == self.shift)
            and (self.open_to_mentoring is None or p.open_to_mentoring == self.open_to_mentoring)
            and (self.team_id is None or p.team == self.team_id)
            and (self.skill is None or p.skills.get(self.skill, 0) >= self.min_level)
        )


# -- single records ----------------------------------------------------------------------


def as_person(p: PersonRecord) -> model.Person:
    """The :class:`graph.model.Person` of a record."""
    return model.Person(
        id=p.id,
        name=p.name,
        title=p.title,
        role=model.JobRole(p.role),
        team_id=p.team,
        function=p.function,
        site=p.site,
        shift=p.shift,
        timezone=p.timezone,
        languages=p.languages,
        tenure_months=p.tenure_months,
        mentoring_capacity=p.capacity,
        open_to_mentoring=p.open_to_mentoring,
        open_to_being_mentored=p.open_to_being_mentored,
        share_goals=p.share_goals,
        auto_request_next_pick=p.auto_request_next_pick,
        manager_id=p.manager,
        skills=tuple(model.SkillLevel(k, v) for k, v in p.skills.items()),
        goals=tuple(model.LearningGoal(k, v) for k, v in p.goals.items()),
    )


def person_record(rm: ReadModel, person_id: str) -> model.Person | None:
    """A person, or ``None`` if the model does not hold them."""
    found = rm.people.get(person_id)
    return None if found is None else as_person(found)


def team_record(rm: ReadModel, team_id: str) -> model.Team | None:
    """A team."""
    t = rm.teams.get(team_id)
    return None if t is None else model.Team(t.id, t.name, t.function, t.site)


def skill_record(rm: ReadModel, key: str) -> model.Skill | None:
    """A skill."""
    s = rm.skills.get(key)
    return None if s is None else model.Skill(s.key, s.name, s.category, s.aliases)


def as_mentorship(m: MentorshipRecord, now: dt.datetime) -> model.Mentorship:
    """The :class:`graph.model.Mentorship` of a record, with its status at ``now``."""
    return model.Mentorship(
        id=m.id,
        mentor_id=m.mentor,
        mentee_id=m.mentee,
        status=model.MentorshipStatus(m.status_at(now)),
        focus_skills=m.focus,
        message=m.message,
        requested_at=m.requested_at,
        responded_at=m.responded_at,
        ended_at=m.ended_at,
        expires_at=m.expires_at,
        feedback=None if m.rating is None else model.Feedback(m.rating, m.comment, m.ended_by),
    )


def mentorships_of(
    rm: ReadModel, person_id: str, *, now: dt.datetime | None = None
) -> list[model.Mentorship]:
    """A person's mentorships, as mentor or mentee, newest request first (as the store sorts them).

    A request past its ``expires_at`` (at ``now``, by default the time of the call) reads
    as expired, as the store reads it (:func:`graph.records.effective_status`).
    """
    now = now or dt.datetime.now(dt.UTC)
    found = [as_mentorship(m, now) for m in rm.mentorships_of(person_id)]
    found.sort(key=lambda m: (m.requested_at or _EPOCH, m.id), reverse=True)
    return found


def mentorship_record(
    rm: ReadModel, mentorship_id: str, *, now: dt.datetime | None = None
) -> model.Mentorship | None:
    """A mentorship by id; expired at ``now`` as :func:`mentorships_of`."""
    found = rm.mentorships.get(mentorship_id)
    return None if found is None else as_mentorship(found, now or dt.datetime.now(dt.UTC))


# -- squads and communities --------------------------------------------------------------


def _as_group(rm: ReadModel, g: GroupRecord) -> model.Squad | model.Community:
    if g.kind == "squad":
        members = sorted(
            (pid, rm.people[pid].squads[g.id])
            for pid in rm.members("squad", g.id)
            if pid in rm.people
        )
        return model.Squad(
            id=g.id,
            name=g.name,
            purpose=g.purpose,
            status=model.SquadStatus(g.status),
            focus_skills=g.skills,
            members=tuple(model.SquadMember(pid, model.SquadRole(role)) for pid, role in members),
            created_at=g.created_at,
        )
    return model.Community(
        id=g.id,
        name=g.name,
        description=g.description,
        topic_skills=g.skills,
        member_ids=tuple(sorted(rm.members("community", g.id))),
        moderator_ids=tuple(sorted(rm.moderators(g.id))),
        created_at=g.created_at,
    )


Groups = dict[tuple[str, str], model.Squad | model.Community]


def _build_groups(rm: ReadModel) -> Groups:
    return {
        (g.kind, g.id): _as_group(rm, g)
        for table in (rm.squads, rm.communities)
        for g in table.values()
    }


def _apply_groups(groups: Groups, rm: ReadModel, changes: ChangeSet) -> bool:
    for kind, ids, table in (
        ("squad", changes.squads, rm.squads),
        ("community", changes.communities, rm.communities),
    ):
        for gid in ids:
            found = table.get(gid)
            if found is None:
                groups.pop((kind, gid), None)
            else:
                groups[(kind, gid)] = _as_group(rm, found)
    return True


GROUPS: ViewSpec[Groups] = register(
    ViewSpec(
        "squad and community records",
        build=_build_groups,
        apply=_apply_groups,
        depends_on=frozenset({"groups"}),
        describe=lambda groups: dict(sorted(groups.items())),
    )
)
"""A community's member list is long (hundreds of people), and every profile lists the
person's communities: each group's record is made once per change of that group."""


def squad_record(rm: ReadModel, squad_id: str) -> model.Squad | None:
    """A squad with its members (by id) and focus skills."""
    found = rm.view(GROUPS).get(("squad", squad_id))
    return found if isinstance(found, model.Squad) else None


def community_record(rm: ReadModel, community_id: str) -> model.Community | None:
    """A community with its topics, members and moderators (by id)."""
    found = rm.view(GROUPS).get(("community", community_id))
    return found if isinstance(found, model.Community) else None


def list_squads(rm: ReadModel, status: model.SquadStatus | None = None) -> list[model.Squad]:
    """Squads, newest first (then by id), optionally of one status: as the store lists them."""
    found = [squad_record(rm, q) for q in sorted(rm.squads)]
    chosen = [q for q in found if q is not None and (status is None or q.status is status)]
    # newest first; a squad without a date first, as Neo4j sorts nulls in descending order
    chosen.sort(key=lambda q: (q.created_at is None, q.created_at or _EPOCH), reverse=True)
    return chosen


def list_communities(rm: ReadModel, search: str | None = None) -> list[model.Community]:
    """Communities whose name or description contains ``search`` (any case), by name."""
    needle = search.strip().lower() if search and search.strip() else None
    found = [community_record(rm, c) for c in rm.communities]
    return sorted(
        (
            c
            for c in found
            if c is not None
            and (needle is None or needle in c.name.lower() or needle in c.description.lower())
        ),
        key=lambda c: (c.name, c.id),
    )


def squads_of(rm: ReadModel, person_id: str) -> list[model.Squad]:
    """A person's squads, by id (as the store sorts them)."""
    p = rm.people.get(person_id)
    found = (squad_record(rm, q) for q in sorted(p.squads if p else ()))
    return [q for q in found if q is not None]


def communities_of(rm: ReadModel, person_id: str) -> list[model.Community]:
    """A person's communities (as a member), by id (as the store sorts them)."""
    p = rm.people.get(person_id)
    found = (community_record(rm, c) for c in (p.communities if p else ()))
    return [c for c in found if c is not None]


# -- facets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facets:
    """The distinct values people's profiles hold, each sorted, to offer as choices."""

    sites: tuple[str, ...]
    functions: tuple[str, ...]
    shifts: tuple[str, ...]
    languages: tuple[str, ...]


def _facet_values(p: PersonRecord | None) -> list[tuple[str, str]]:
    if p is None:
        return []
    held = [(name, value) for name, value in (("site", p.site), ("function", p.function)) if value]
    held += [("shift", p.shift)] if p.shift else []
    return held + [("language", lang) for lang in p.languages]


class FacetCounts:
    """How many people hold each site, function, shift and language, kept in step.

    HR's scope check asks whether a site is in use on every health request; a change
    moves only the changed people's values (the old ones from the change's ``before``).
    """

    def __init__(self, rm: ReadModel) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()
        for p in rm.people.values():
            self.counts.update(_facet_values(p))
        self._facets: Facets | None = None

    def apply(self, rm: ReadModel, changes: ChangeSet) -> bool:
        """Move the values of the people whose record changed."""
        for pid, old in changes.before.items():
            self.counts.subtract(_facet_values(old))
            self.counts.update(_facet_values(rm.people.get(pid)))
        self._facets = None
        return True

    def current(self) -> Facets:
        """The values at least one person holds, each sorted."""
        if self._facets is None:
            held: dict[str, list[str]] = {"site": [], "function": [], "shift": [], "language": []}
            for (name, value), n in self.counts.items():
                if n > 0:
                    held[name].append(value)
            self._facets = Facets(
                sites=tuple(sorted(held["site"])),
                functions=tuple(sorted(held["function"])),
                shifts=tuple(sorted(held["shift"])),
                languages=tuple(sorted(held["language"])),
            )
        return self._facets


FACETS: ViewSpec[FacetCounts] = register(
    ViewSpec(
        "facets",
        build=FacetCounts,
        apply=lambda counts, rm, changes: counts.apply(rm, changes),
        depends_on=frozenset({"people"}),
        describe=lambda counts: counts.current(),
    )
)


def facets(rm: ReadModel) -> Facets:
    """Sites, functions, shifts and languages in use."""
    return rm.view(FACETS).current()


# -- the people directory ----------------------------------------------------------------


def matching_people(rm: ReadModel, where: PeopleFilter) -> Iterator[tuple[str, str]]:
    """(name, id) of everyone the filter matches, in no particular order."""
    for p in rm.people.values():
        if where.admits(p):
            yield p.name, p.id


class Matches:
    """The people one filter matches, sorted by (name, id), kept in step with the graph.

    Sorting everyone again after every write made each directory page after a write
    cost a full scan; a change re-places only the people whose record changed.
    """

    def __init__(self, rm: ReadModel, where: PeopleFilter) -> None:
        self.where = where
        self.entries = sorted(matching_people(rm, where))

    def apply(self, rm: ReadModel, changes: ChangeSet) -> bool:
        """Re-place each changed person."""
        for pid, old in changes.before.items():
            if old is not None and self.where.admits(old):
                del self.entries[bisect.bisect_left(self.entries, (old.name, pid))]
            new = rm.people.get(pid)
            if new is not None and self.where.admits(new):
                bisect.insort(self.entries, (new.name, pid))
        return True


MAX_DIRECTORY_FILTERS = 64
"""Filters whose sorted matches are kept at once; past it they are all dropped and rebuilt."""

_directory_specs: dict[PeopleFilter, ViewSpec[Matches]] = {}


def _directory(where: PeopleFilter) -> ViewSpec[Matches]:
    """The view of one filter's matches (one spec per filter, so the model keeps each once)."""
    found = _directory_specs.get(where)
    if found is None:
        if len(_directory_specs) >= 4 * MAX_DIRECTORY_FILTERS:
            _directory_specs.clear()
        found = _directory_specs[where] = ViewSpec(
            f"directory {where}",
            build=lambda rm: Matches(rm, where),
            apply=lambda matches, rm, changes: matches.apply(rm, changes),
            depends_on=frozenset({"people"}),
            describe=lambda matches: matches.entries,
        )
    return found


def page_of_people(
    rm: ReadModel, where: PeopleFilter, *, first: int, after: tuple[str, str] | None
) -> tuple[list[tuple[str, str]], bool, int]:
    """One page of the directory by (name, id) after ``after``, whether more follow, and the total."""
    spec = _directory(where)
    kept = [s for s, _ in rm.built_views() if s.name.startswith("directory ")]
    if spec not in {s for s in kept} and len(kept) >= MAX_DIRECTORY_FILTERS:
        rm.drop_views(keep=[s for s, _ in rm.built_views() if not s.name.startswith("directory ")])
    matched = rm.view(spec).entries
    start = bisect.bisect_right(matched, after) if after is not None else 0
    page = matched[start : start + first]
    return page, start + first < len(matched), len(matched)


# -- the skill catalog -------------------------------------------------------------------


def _build_catalog(rm: ReadModel) -> SkillCatalog:
    found = (skill_record(rm, key) for key in rm.skills)
    return SkillCatalog(sorted((s for s in found if s is not None), key=lambda s: (s.name, s.key)))


CATALOG: ViewSpec[SkillCatalog] = register(
    ViewSpec(
        "skill catalog",
        build=_build_catalog,
        apply=lambda catalog, rm, changes: True,
        depends_on=frozenset({"skills"}),  # skills change only with a full load
        describe=lambda catalog: sorted(catalog.skills.items()),
    )
)


def skill_catalog(rm: ReadModel) -> SkillCatalog:
    """Every skill, to resolve typed names and aliases in memory."""
    return rm.view(CATALOG)


def response_rate(rm: ReadModel, person_id: str) -> tuple[int, int, float | None]:
    """A mentor's requests answered and let expire, and the median hours to an answer.

    The counts are those the matcher ranks by (``requests_answered``, ``requests_expired``
    on the person); the median is over the requests to them answered that the model holds.
    """
    found = rm.people.get(person_id)
    if found is None:
        return 0, 0, None
    hours = sorted(
        (m.responded_at - m.requested_at).total_seconds() / 3600
        for m in rm.mentorships_of(person_id)
        if m.mentor == person_id and m.responded_at is not None and m.requested_at is not None
    )
    median = None
    if hours:
        mid = len(hours) // 2
        median = hours[mid] if len(hours) % 2 else (hours[mid - 1] + hours[mid]) / 2
    return found.requests_answered, found.requests_expired, median
