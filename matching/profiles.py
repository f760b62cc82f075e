"""Each person as the matcher sees them, read once from the projection.

Scoring a pair touches a dozen facts about each side (skills, goals, shift,
load, who they already mentor). Walking NetworkX edges for those on every pair
would dominate the cost, so :class:`Profiles` collects them per person and is
kept in :attr:`Projection.derived`, refreshed for just the people a change names.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterable, Iterator, Mapping, ValuesView
from dataclasses import dataclass, field

from matching.projection import Projection, person

OPEN_STATUSES = frozenset({"requested", "active"})
"""Mentorship statuses that hold a mentor's capacity and block a second request."""


@dataclass(frozen=True, slots=True)
class Profile:
    """What matching needs to know about one person."""

    id: str
    name: str = ""
    team: str | None = None
    manager: str | None = None
    function: str = ""
    site: str = ""
    shift: str | None = None
    timezone: str | None = None
    languages: tuple[str, ...] = ()
    skills: Mapping[str, int] = field(default_factory=dict)
    goals: Mapping[str, int] = field(default_factory=dict)
    capacity: int = 0
    open_to_mentoring: bool = False
    open_to_being_mentored: bool = True
    shares_goals: bool = False
    """Whether the person lets colleagues see their goals; only then do mentor suggestions
    count (and show) what a mentee would teach them back."""
    load: int = 0
    """Requested and active mentorships as mentor: what counts against capacity."""
    partners: frozenset[str] = frozenset()
    """People with a requested or active mentorship with this person, either way."""
    mentored: bool = False
    """Has a requested or active mentor already."""
    answered: int = 0
    expired: int = 0

    @property
    def spare(self) -> int:
        """Mentees this person can still take."""
        return max(0, self.capacity - self.load) if self.open_to_mentoring else 0


def read_profile(projection: Projection, person_id: str) -> Profile | None:
    """One person's profile, or ``None`` if the projection does not hold them."""
    g = projection.graph
    node = person(person_id)
    if node not in g or g.nodes[node].get("kind") != "person":
        return None
    attrs = g.nodes[node]
    team = manager = None
    skills: dict[str, int] = {}
    goals: dict[str, int] = {}
    partners: set[str] = set()
    load = 0
    for _, target, data in g.out_edges(node, data=True):
        kind = data["kind"]
        if kind == "has_skill":
            skills[target[1]] = int(data["level"])
        elif kind == "wants":
            goals[target[1]] = int(data["priority"])
        elif kind == "member_of":
            team = target[1]
        elif kind == "reports_to":
            manager = target[1]
        elif kind == "mentors" and data["status"] in OPEN_STATUSES:
            load += 1
            partners.add(target[1])
    mentored = False
    for source, _, data in g.in_edges(node, data=True):
        if data["kind"] == "mentors" and data["status"] in OPEN_STATUSES:
            mentored = True
            partners.add(source[1])
    return Profile(
        id=person_id,
        name=attrs.get("name") or "",
        team=team,
        manager=manager,
        function=attrs.get("function") or "",
        site=attrs.get("site") or "",
        shift=attrs.get("shift"),
        timezone=attrs.get("timezone"),
        languages=tuple(attrs.get("languages") or ()),
        skills=skills,
        goals=goals,
        capacity=int(attrs.get("mentoring_capacity") or 0),
        open_to_mentoring=bool(attrs.get("open_to_mentoring")),
        open_to_being_mentored=attrs.get("open_to_being_mentored") is not False,
        shares_goals=bool(attrs.get("share_goals")),
        load=load,
        partners=frozenset(partners),
        mentored=mentored,
        answered=int(attrs.get("requests_answered") or 0),
        expired=int(attrs.get("requests_expired") or 0),
    )


class Profiles(Mapping[str, Profile]):
    """Every person's :class:`Profile`, plus the skill relations scoring uses."""

    def __init__(self, projection: Projection) -> None:
        self._by_id: dict[str, Profile] = {}
        self.related: dict[str, frozenset[str]] = {}
        self.skill_names: dict[str, str] = {}
        self.version: object = None
        self._read_skills(projection)
        self._load(projection, projection.people())

    @classmethod
    def of(cls, projection: Projection) -> Profiles:
        """The profiles of ``projection``, built once and then refreshed with it."""
        found = projection.derived.get(cls)
        if not isinstance(found, cls):
            found = projection.derived[cls] = cls(projection)
        return found

    def refresh(self, projection: Projection, people: Iterable[str]) -> bool:
        """Re-read ``people`` after a change; the projection keeps this object.

        Skills and their relations only change with a full reload, which builds anew.
        """
        self._load(projection, people)
        return True

    def _read_skills(self, projection: Projection) -> None:
        g = projection.graph
        related: dict[str, set[str]] = {}
        for node, attrs in g.nodes(data=True):
            if node[0] != "skill":
                continue
            self.skill_names[node[1]] = str(attrs.get("name") or node[1])
            for _, other, data in g.out_edges(node, data=True):
                if data["kind"] == "related":
                    related.setdefault(node[1], set()).add(other[1])
                    related.setdefault(other[1], set()).add(node[1])
        self.related = {k: frozenset(v) for k, v in related.items()}

    def _load(self, projection: Projection, people: Iterable[str]) -> None:
        for pid in people:
            profile = read_profile(projection, pid)
            if profile is None:
                self._by_id.pop(pid, None)
            else:
                self._by_id[pid] = profile
        self.version = projection.version

    def reporting_line(self, person_id: str) -> list[str]:
        """The person's manager, their manager, and so on up (cycles stop the walk)."""
        line: list[str] = []
        current = self._by_id.get(person_id)
        while current is not None and current.manager and current.manager not in line:
            if current.manager == person_id:
                break
            line.append(current.manager)
            current = self._by_id.get(current.manager)
        return line

    def __getitem__(self, person_id: str) -> Profile:
        return self._by_id[person_id]

    def items(self) -> ItemsView[str, Profile]:
        """Every (id, profile), straight from the dict (Mapping's default looks each one up)."""
        return self._by_id.items()

    def values(self) -> ValuesView[Profile]:
        """Every profile."""
        return self._by_id.values()

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)
