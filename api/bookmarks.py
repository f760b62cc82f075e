"""Graph versions on the wire: what each answer was read at, and what a client asks for.

Every GraphQL answer carries the graph version it was read at in the
``X-Skillweave-Version`` header. A client that writes through one process and reads
through another sends the last version it was answered with back in the same header;
the process then reads at that version or newer (:meth:`readmodel.keeper.ReadModelKeeper.current`),
as Neo4j's causal-consistency bookmarks do. Without it, a read is at most
``SKILLWEAVE_READ_STALENESS_SECONDS`` old.
"""

from __future__ import annotations

from graph.changes import Version

HEADER = "X-Skillweave-Version"


def format_version(version: Version) -> str:
    """The header value of a version: ``<epoch>.<number>``."""
    return f"{version.epoch}.{version.number}"


def parse_version(text: str) -> Version:
    """The version a header value names.

    Raises:
        ValueError: not a value :func:`format_version` writes.
    """
    epoch, dot, number = text.strip().rpartition(".")
    if not dot or not number.isdigit() or not epoch.isalnum() or len(text) > 100:
        raise ValueError(
            f"{HEADER} must be a value this service sent (as <epoch>.<number>), not {text[:100]!r}."
        )
    return Version(epoch, int(number))
