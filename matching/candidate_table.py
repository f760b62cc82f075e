"""Candidate pairs as parallel arrays, for org-wide assignments of tens of thousands.

Building one :class:`~matching.assignment.Candidate` object per pair costs more than
scoring the pair (1.5 million pairs at 50,000 people take seconds just to allocate),
so the index hands the optimal solver arrays instead; :meth:`CandidateTable.candidates`
gives the objects for the algorithms that want them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.assignment import Candidate


@dataclass(frozen=True)
class CandidateTable:
    """Pair ``i`` is mentee ``mentees[mentee[i]]`` with mentor ``mentors[mentor[i]]``."""

    mentees: list[str]
    """Sorted ids."""
    mentors: list[str]
    """Sorted ids."""
    mentee: npt.NDArray[np.int64]
    mentor: npt.NDArray[np.int64]
    score: npt.NDArray[np.float64]
    mentor_score: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.score)

    def candidates(self) -> list[Candidate]:
        """The pairs as objects (slow for millions; fine for a site)."""
        return [
            Candidate(self.mentees[e], self.mentors[m], s, p)
            for e, m, s, p in zip(
                self.mentee.tolist(),
                self.mentor.tolist(),
                self.score.tolist(),
                self.mentor_score.tolist(),
                strict=True,
            )
        ]
