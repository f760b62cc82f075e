"""How a view registers on the read model: what it is built from and how it follows changes.

A view is anything derived from the records (profiles, the mentor index, the directory's
sorted lists, facet counts, HR's population). Each is declared once as a :class:`ViewSpec`:
how to build it from the whole model, which kinds of record it reads (``depends_on``),
which other views it reads (``after``: they are brought up to date first), and how to
apply a :class:`ChangeSet` in place. A view that cannot follow a change says so
(``apply`` returns ``False``) and is built again on next use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

from graph.records import MentorshipRecord, PersonRecord

if TYPE_CHECKING:
    from readmodel.store import ReadModel

V = TypeVar("V")

Kind = Literal["people", "mentorships", "groups", "skills", "teams", "roles"]
"""The kinds of record a view can depend on."""

EVERY_KIND: frozenset[Kind] = frozenset(
    {"people", "mentorships", "groups", "skills", "teams", "roles"}
)


@dataclass(frozen=True)
class ChangeSet:
    """What one application of fresh records changed, for the views to follow.

    ``before`` holds the records the change replaced (``None`` for someone new), so a view
    that counts or sorts people can take the old values out without keeping its own copy.
    """

    people: frozenset[str] = frozenset()
    """People whose record was added, replaced or removed, or whose mentorships changed."""
    squads: frozenset[str] = frozenset()
    """Squads whose record or membership changed."""
    communities: frozenset[str] = frozenset()
    """Communities whose record, membership or moderators changed."""
    mentorships: frozenset[str] = frozenset()
    """Mentorships added, replaced or removed."""
    roles: frozenset[str] = frozenset()
    """Role profiles saved or deleted."""
    before: Mapping[str, PersonRecord | None] = field(default_factory=dict)
    before_mentorships: Mapping[str, MentorshipRecord | None] = field(default_factory=dict)

    def touches(self, kinds: frozenset[Kind]) -> bool:
        """Whether a view depending on ``kinds`` has anything to follow."""
        return bool(
            ("people" in kinds and self.people)
            or ("mentorships" in kinds and self.mentorships)
            or ("groups" in kinds and (self.squads or self.communities))
            or ("roles" in kinds and self.roles)
        )


@dataclass(frozen=True, eq=False)
class ViewSpec(Generic[V]):
    """One kind of view: how to build it and keep it in step with the read model."""

    name: str
    build: Callable[[ReadModel], V]
    apply: Callable[[V, ReadModel, ChangeSet], bool]
    """Update the view in place for a change; ``False``: drop it, to be built on next use."""
    depends_on: frozenset[Kind]
    describe: Callable[[V], object]
    """A plain value equal for equal views: the state-machine test compares a kept view
    with one built afresh through it."""
    after: tuple[ViewSpec[object], ...] = ()
    """Views this one reads while building or applying: brought up to date before it."""

    @property
    def depth(self) -> int:
        """How many views stand below this one; views are applied lowest first."""
        return 1 + max((v.depth for v in self.after), default=0)


REGISTERED: list[ViewSpec[object]] = []
"""Every view kind declared with :func:`register` (tests build and check each one)."""


def register(spec: ViewSpec[V]) -> ViewSpec[V]:
    """Declare a view kind (once, at import) so the generic checks cover it."""
    REGISTERED.append(spec)  # type: ignore[arg-type]
    return spec
