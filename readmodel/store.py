"""The read model's records by id, with the few indexes every reader needs.

One copy of each person, skill, team, mentorship, squad and community, as
:mod:`graph.export` reads them (:mod:`graph.records`: frozen, slotted). Chosen over
NetworkX node and edge dictionaries, which held a person about eleven times over once
every cache had its own copy; over columnar arrays, because the views that need arrays
(the mentor index) already build their own from these, and the directory needs records.

:meth:`ReadModel.apply` swaps some people and groups for fresher copies and tells the
views what changed (:class:`~readmodel.views.ChangeSet`), lowest view first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from graph.records import (
    GraphData,
    GroupRecord,
    MentorshipRecord,
    PersonRecord,
    RoleRecord,
    SkillRecord,
    TeamRecord,
)
from readmodel.views import ChangeSet, ViewSpec

if TYPE_CHECKING:
    from matching.health.population import Population
    from matching.mentor_index import MentorIndex
    from matching.profiles import Profiles

V = TypeVar("V")


class ReadModel:
    """Records by id, their indexes, and the views registered on them.

    It provides what the matcher reads (:class:`matching.views.Views`): ``profiles``,
    ``mentor_index`` and ``population``, each a view built on first use.
    """

    def __init__(self, version: Any = None) -> None:
        self.version = version
        self.people: dict[str, PersonRecord] = {}
        self.left: set[str] = set()
        """People who have left the organisation (off-boarded): held nowhere else."""
        self.skills: dict[str, SkillRecord] = {}
        self.related: dict[str, frozenset[str]] = {}
        """Each skill's related skills (the relation read both ways)."""
        self.teams: dict[str, TeamRecord] = {}
        self.roles: dict[str, RoleRecord] = {}
        """Role profiles by id; they change only with a full load (a role edit records ``*``)."""
        self.mentorships: dict[str, MentorshipRecord] = {}
        self.squads: dict[str, GroupRecord] = {}
        self.communities: dict[str, GroupRecord] = {}
        self._mentorships_of: dict[str, set[str]] = {}
        self._members: dict[tuple[str, str], set[str]] = {}
        self._moderators: dict[str, set[str]] = {}
        self._team_members: dict[str, set[str]] = {}
        self._views: dict[ViewSpec[Any], Any] = {}

    @classmethod
    def build(cls, data: GraphData) -> ReadModel:
        """A read model of everything in ``data``."""
        model = cls(data.version)
        model.skills = dict(data.skills)
        related: dict[str, set[str]] = {}
        for a, b in data.related:
            related.setdefault(a, set()).add(b)
            related.setdefault(b, set()).add(a)
        model.related = {k: frozenset(v) for k, v in related.items()}
        model.teams = dict(data.teams)
        model.roles = dict(data.roles)
        model.apply(data, people=[p.id for p in data.people], everything=True)
        return model

    def snapshot(self) -> GraphData:
        """Every record this model holds, as :meth:`build` takes them (for a checkpoint).

        The lists and dicts are new; the records are shared (they are immutable).
        """
        return GraphData(
            version=self.version,
            people=list(self.people.values()),
            skills=dict(self.skills),
            related=sorted({(a, b) for a, near in self.related.items() for b in near if a <= b}),
            teams=dict(self.teams),
            mentorships=list(self.mentorships.values()),
            squads=list(self.squads.values()),
            communities=list(self.communities.values()),
            roles=dict(self.roles),
            left=set(self.left),
        )

    # -- reading -------------------------------------------------------------------------

    def view(self, spec: ViewSpec[V]) -> V:
        """The view ``spec`` declares, built on first use and kept in step afterwards."""
        found = self._views.get(spec)
        if found is None:
            for below in spec.after:
                self.view(below)
            found = self._views[spec] = spec.build(self)
        return found

    def built_views(self) -> list[tuple[ViewSpec[Any], Any]]:
        """Every view built and kept at the moment, lowest first."""
        return sorted(self._views.items(), key=lambda item: item[0].depth)

    def drop_views(self, keep: Iterable[ViewSpec[Any]] = ()) -> None:
        """Forget every view but ``keep`` (and what they read), to bound what is held."""
        kept = set(keep)
        for spec in list(self._views):
            if spec not in kept and not any(spec in k.after for k in kept):
                del self._views[spec]

    def current_role(self, person_id: str) -> RoleRecord | None:
        """The role profile of the person's job role, if one has it."""
        person = self.people.get(person_id)
        if person is None:
            return None
        return next((r for r in self.roles.values() if r.job_role == person.role), None)

    def mentorships_of(self, person_id: str) -> list[MentorshipRecord]:
        """The person's mentorships, as mentor or mentee, in no particular order."""
        return [self.mentorships[m] for m in self._mentorships_of.get(person_id, ())]

    def members(self, kind: str, group_id: str) -> set[str]:
        """Ids of a squad's or community's members (do not change the set)."""
        return self._members.get((kind, group_id), _EMPTY)

    def moderators(self, community_id: str) -> set[str]:
        """Ids of a community's moderators (do not change the set)."""
        return self._moderators.get(community_id, _EMPTY)

    def team_members(self, team_id: str) -> set[str]:
        """Ids of a team's members (do not change the set)."""
        return self._team_members.get(team_id, _EMPTY)

    @property
    def profiles(self) -> Profiles:
        """Every person as the matcher sees them (:data:`readmodel.matching.PROFILES`)."""
        from readmodel.matching import PROFILES

        return self.view(PROFILES)

    @property
    def mentor_index(self) -> MentorIndex:
        """The array form of the profiles (:data:`readmodel.matching.MENTOR_INDEX`)."""
        from readmodel.matching import MENTOR_INDEX

        return self.view(MENTOR_INDEX)

    @property
    def population(self) -> Population:
        """HR's records of people, mentorships and groups (:data:`readmodel.matching.POPULATION`)."""
        from readmodel.matching import POPULATION

        return self.view(POPULATION)

    def differences(self, fresh: ReadModel) -> list[str]:
        """What differs from ``fresh``, a model built anew from the store.

        Records, indexes, and every view this model has built, compared through its spec's
        ``describe``: empty when this model, kept in step change by change, says what a
        rebuild says.
        """
        found = [name for name in _COMPARED if getattr(self, name) != getattr(fresh, name)]
        for spec, view in self.built_views():
            if spec.describe(view) != spec.describe(fresh.view(spec)):
                found.append(f"view {spec.name!r}")
        return found

    # -- changing ------------------------------------------------------------------------

    def apply(
        self,
        data: GraphData,
        *,
        people: Iterable[str] = (),
        squads: Iterable[str] = (),
        communities: Iterable[str] = (),
        roles: Iterable[str] = (),
        everything: bool = False,
    ) -> ChangeSet:
        """Swap what is known of ``people``, ``squads``, ``communities`` and ``roles`` for ``data``.

        ``data`` holds the fresh copies of exactly those records (a person, group or role it
        lacks is gone) and every mentorship any of those people is in. Views follow the
        change, lowest first; with ``everything`` (a full load) they are all dropped.
        """
        named = set(people)
        named_roles = set(roles)
        for rid in named_roles:
            self.roles.pop(rid, None)
        for rid, role in data.roles.items():
            if everything or rid in named_roles:
                self.roles[rid] = role
        before: dict[str, PersonRecord | None] = {}
        old_mentorships: dict[str, MentorshipRecord | None] = {}
        named_groups = {"squad": set(squads), "community": set(communities)}
        # Groups changed: those named, and those whose members or moderators change.
        groups = {kind: set(ids) for kind, ids in named_groups.items()}
        for pid in named:
            old = self.people.pop(pid, None)
            before[pid] = old
            if old is not None:
                self._unindex(old)
            for mid in list(self._mentorships_of.get(pid, ())):
                old_mentorships[mid] = self._drop_mentorship(mid)
        for kind, target, fresh in (
            ("squad", self.squads, data.squads),
            ("community", self.communities, data.communities),
        ):
            for gid in named_groups[kind]:
                target.pop(gid, None)
            for group in fresh:
                target[group.id] = group
        for p in data.people:
            before.setdefault(p.id, self.people.get(p.id))
            if p.id in self.people:
                self._unindex(self.people[p.id])
            self.people[p.id] = p
            self._index(p)
        for pid, old in before.items():
            new = self.people.get(pid)
            for kind, ids in _groups_changed(old, new).items():
                groups[kind].update(ids)
        touched = set(before)
        for m in data.mentorships:
            old_mentorships.setdefault(m.id, self.mentorships.get(m.id))
            if m.id in self.mentorships:
                self._drop_mentorship(m.id)
            self.mentorships[m.id] = m
            for pid in (m.mentor, m.mentee):
                self._mentorships_of.setdefault(pid, set()).add(m.id)
        for mid, gone in old_mentorships.items():
            for side in (gone, self.mentorships.get(mid)):
                if side is not None:
                    touched.update((side.mentor, side.mentee))
        self.version = data.version
        self.left.difference_update(named)
        self.left.update(data.left)
        changes = ChangeSet(
            people=frozenset(touched),
            squads=frozenset(groups["squad"]),
            communities=frozenset(groups["community"]),
            mentorships=frozenset(old_mentorships),
            roles=frozenset(named_roles),
            before=before,
            before_mentorships=old_mentorships,
        )
        if everything:
            self._views.clear()
            return changes
        for spec, view in self.built_views():
            if spec not in self._views:
                continue  # dropped with a view it reads
            if changes.touches(spec.depends_on) and not spec.apply(view, self, changes):
                self._drop(spec)
        return changes

    def _drop(self, spec: ViewSpec[Any]) -> None:
        self._views.pop(spec, None)
        for other in list(self._views):
            if spec in other.after:
                self._drop(other)

    def _index(self, p: PersonRecord) -> None:
        for sid in p.squads:
            self._members.setdefault(("squad", sid), set()).add(p.id)
        for cid in p.communities:
            self._members.setdefault(("community", cid), set()).add(p.id)
        for cid in p.moderates:
            self._moderators.setdefault(cid, set()).add(p.id)
        if p.team is not None:
            self._team_members.setdefault(p.team, set()).add(p.id)

    def _unindex(self, p: PersonRecord) -> None:
        for sid in p.squads:
            _discard(self._members, ("squad", sid), p.id)
        for cid in p.communities:
            _discard(self._members, ("community", cid), p.id)
        for cid in p.moderates:
            _discard(self._moderators, cid, p.id)
        if p.team is not None:
            _discard(self._team_members, p.team, p.id)

    def _drop_mentorship(self, mentorship_id: str) -> MentorshipRecord | None:
        m = self.mentorships.pop(mentorship_id, None)
        if m is not None:
            for pid in (m.mentor, m.mentee):
                _discard(self._mentorships_of, pid, mentorship_id)
        return m


_EMPTY: set[str] = set()
_COMPARED = (
    *("people", "left", "skills", "related", "teams", "roles", "mentorships", "squads"),
    "communities",
    *("_mentorships_of", "_members", "_moderators", "_team_members"),
)


def _memberships(p: PersonRecord | None) -> dict[str, set[tuple[str, object, object]]]:
    if p is None:
        return {"squad": set(), "community": set()}
    return {
        "squad": {(sid, role, p.joined.get(sid)) for sid, role in p.squads.items()},
        "community": {(cid, "member", p.joined.get(cid)) for cid in p.communities}
        | {(cid, "moderator", None) for cid in p.moderates},
    }


def _groups_changed(old: PersonRecord | None, new: PersonRecord | None) -> dict[str, set[str]]:
    """The squads and communities whose membership differs between two records of one person.

    Joined, left, another role, another joining date: a profile edit changes none.
    """
    before, after = _memberships(old), _memberships(new)
    return {kind: {entry[0] for entry in before[kind] ^ after[kind]} for kind in before}


def _discard(index: dict[Any, set[str]], key: Any, value: str) -> None:
    found = index.get(key)
    if found is not None:
        found.discard(value)
        if not found:
            del index[key]
