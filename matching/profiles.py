"""Each person as the matcher sees them.

Scoring a pair touches a dozen facts about each side (skills, goals, shift, load, who
they already mentor). :class:`Profiles` holds them per person, derived once from the
read model's records (:mod:`readmodel.matching`) and refreshed for just the people a
change names.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, Mapping, ValuesView
from dataclasses import dataclass, field

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
    squads: tuple[str, ...] = ()
    """Squads the person is in, by id."""
    communities: tuple[str, ...] = ()
    """Communities the person is a member of, by id."""

    @property
    def spare(self) -> int:
        """Mentees this person can still take."""
        return max(0, self.capacity - self.load) if self.open_to_mentoring else 0


class Profiles(Mapping[str, Profile]):
    """Every person's :class:`Profile`, plus the skill relations scoring uses.

    Filled and kept in step by the read model (:mod:`readmodel.matching`); the matcher
    only reads it.
    """

    def __init__(
        self, related: Mapping[str, frozenset[str]], skill_names: Mapping[str, str]
    ) -> None:
        self._by_id: dict[str, Profile] = {}
        self.related: Mapping[str, frozenset[str]] = related
        self.skill_names: Mapping[str, str] = skill_names

    @property
    def by_id(self) -> Mapping[str, Profile]:
        """The profiles as a plain dictionary, live: it follows every change.

        For loops over many people, where a lookup through this Mapping's methods would dominate.
        """
        return self._by_id

    def put(self, profile: Profile) -> None:
        """Add or replace one person's profile."""
        self._by_id[profile.id] = profile

    def drop(self, person_id: str) -> None:
        """Forget one person (gone from the organisation)."""
        self._by_id.pop(person_id, None)

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
