"""What the matcher reads: the read model's views, as a protocol so ``matching`` stays pure.

:class:`readmodel.store.ReadModel` provides them; tests and benchmarks build one from plain
records (:meth:`ReadModel.build`). Each view is built on first use and kept in step with
the graph, so reading one costs nothing after the first time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from matching.health.population import Population
    from matching.mentor_index import MentorIndex
    from matching.profiles import Profiles


class Views(Protocol):
    """The views every matching function is given."""

    @property
    def version(self) -> Any:
        """The graph version the views describe (opaque here)."""

    @property
    def profiles(self) -> Profiles:
        """Every person as the matcher sees them."""

    @property
    def mentor_index(self) -> MentorIndex:
        """The array form of the profiles, for scoring many candidates at once."""

    @property
    def population(self) -> Population:
        """People, mentorships, squads and communities as HR's metrics read them."""
