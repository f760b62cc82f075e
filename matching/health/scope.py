"""Which people a health report looks at: the whole organisation, or one site, team or function.

Every metric is computed as if only the people in scope existed, except where a
module says otherwise (a person's own ties count whoever is on the other side).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HealthScope:
    """People at ``site``, in ``team`` and in ``function``; ``None`` places no condition.

    Example::

        HealthScope(site="Manila", function="voice")  # Manila's voice agents
    """

    site: str | None = None
    team: str | None = None
    function: str | None = None

    def admits(self, site: str, team: str | None, function: str) -> bool:
        """Whether a person with this site, team and function is in scope."""
        return (
            (self.site is None or site == self.site)
            and (self.team is None or team == self.team)
            and (self.function is None or function == self.function)
        )

    @property
    def everyone(self) -> bool:
        """True when the scope is the whole organisation."""
        return self.site is None and self.team is None and self.function is None


ORGANISATION = HealthScope()
"""The whole organisation: the default scope."""
