"""Errors raised by the store, one class per thing a caller can act on.

The hierarchy, which the API maps onto GraphQL ``extensions.code`` values::

    StoreError
     ├── StoreUnavailable          the store cannot be reached (UNAVAILABLE)
     │    ├── StoreMisconfigured   it answers, but the settings do not fit it
     │    ├── EmbeddedStartError   the embedded store failed to start
     │    ├── DataFolderLocked     another process owns the embedded data folder
     │    └── GraphIncomplete      a bulk write in batches has not finished: not servable
     ├── TransactionTooLarge       a write bigger than the server lets one transaction be
     │                             (PAYLOAD_TOO_LARGE)
     ├── NotFound                  an id that names nothing (NOT_FOUND)
     ├── Conflict                  a uniqueness or business rule would break (CONFLICT)
     └── InvalidInput              a value the model does not accept (BAD_USER_INPUT)
"""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error the store raises on purpose."""

    code = "INTERNAL"


class StoreUnavailable(StoreError):
    """The store cannot be reached or did not answer in time."""

    code = "UNAVAILABLE"


class CommitUnknown(StoreUnavailable):
    """The connection broke after the commit was sent: the change may or may not be saved.

    Never retried blindly; a create retried with the same idempotency key is safe.
    """


class StoreMisconfigured(StoreUnavailable):
    """The server answers but cannot serve with these settings: the message names the one to fix.

    Wrong credentials, a database name the server does not have, a server older than Neo4j 5.
    """


class EmbeddedStartError(StoreUnavailable):
    """The embedded ArcadeDB process could not be started."""


class DataFolderLocked(StoreUnavailable):
    """Another process already serves the embedded store's data folder."""


class GraphIncomplete(StoreUnavailable):
    """The store holds a bulk write (a seed, an import) whose last batch has not committed.

    Half an organisation is never served: every read of the graph's version refuses with
    this until the bulk write finishes, or is started again (a seed) or run again (an
    import). The message says which, and how far it got.
    """


class TransactionTooLarge(StoreError):
    """The server refused to hold this much in one transaction (Neo4j's transaction memory).

    Never retried: the same write would fail the same way. A bulk write (a seed, an HRIS
    import) of up to :data:`graph.organisation.BATCH_PEOPLE` people is one transaction, so
    that a failure writes nothing; the message says which server setting to raise.
    """

    code = "PAYLOAD_TOO_LARGE"


class NotFound(StoreError):
    """The id given does not name an existing record."""

    code = "NOT_FOUND"


class Conflict(StoreError):
    """The write would break a uniqueness constraint or a business rule."""

    code = "CONFLICT"


class InvalidInput(StoreError):
    """A value outside what the model accepts (a level of 7, an empty name)."""

    code = "BAD_USER_INPUT"


class NotPermitted(StoreError):
    """The caller may not do this to this record: a rule the store checks as it writes.

    Not a moderator of that community, not a member of it; checked under the record's lock.
    """

    code = "FORBIDDEN"
