"""Errors the API returns, each with a stable ``extensions.code``.

The codes, as a tree (a client may handle a parent instead of each child)::

    UNAUTHENTICATED            HTTP 401: no token, or a bad or expired one; over WebSocket,
                               what ends a subscription when its token expires or its
                               person leaves (api/notifications.py)
    BAD_REQUEST                HTTP 400: the body is not one operation as a JSON object:
                               not JSON, an array (batches are not supported), a string
                               or a number, no "query"; HTTP 415: a Content-Type other
                               than application/json; HTTP 405: an operation sent with
                               GET or another method than POST (api/app.py)
    GRAPHQL_PARSE_FAILED       the query is not valid GraphQL
    GRAPHQL_VALIDATION_FAILED  the query does not fit the schema or the limits
    BAD_USER_INPUT             a value the API does not accept: a level of 7, an empty
     │                         name, an unknown skill ("did you mean"), a bad cursor,
     │                         a page larger than the cap
     └── (from graph.errors.InvalidInput)
    FORBIDDEN                  the caller's role may not do this (nothing was written)
    NOT_FOUND                  an id that names nothing; HTTP 404: GraphiQL where it is off
    CONFLICT                   a rule would break: a second open mentorship for a pair,
                               a mentor at capacity, an archived squad, ...
    UNAVAILABLE                the skills graph store is not answering; retry later
    PAYLOAD_TOO_LARGE          HTTP 413: a request body over the limit (api/limits.py);
                               or a write larger than the store holds in one transaction
    INTERNAL_SERVER_ERROR      anything unexpected; the message is masked and the
                               error logged with the request id given in extensions
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from asgi_correlation_id import correlation_id
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph.errors import StoreError

log = logging.getLogger("skillweave.errors")


class ApiError(Exception):
    """An error the API raises on purpose, shown to the client as it is."""

    code = "INTERNAL_SERVER_ERROR"


class Unauthenticated(ApiError):
    """No signed-in person (a WebSocket operation before its ``connection_init``)."""

    code = "UNAUTHENTICATED"


class BadInput(ApiError):
    """A value the API does not accept."""

    code = "BAD_USER_INPUT"


class Forbidden(ApiError):
    """The caller's role may not do this."""

    code = "FORBIDDEN"


class NotFoundError(ApiError):
    """An id that names nothing."""

    code = "NOT_FOUND"


def _code_of(error: GraphQLError) -> str | None:
    original = error.original_error
    if isinstance(original, ApiError | StoreError):
        return original.code
    if isinstance(original, GraphQLError):  # a value a scalar could not take ("ten" for an Int)
        return "BAD_USER_INPUT"
    if original is None:
        if TOKEN_LIMIT in error.message:
            return "GRAPHQL_VALIDATION_FAILED"  # a limit, like depth and aliases
        if error.message.startswith("Syntax Error"):
            return "GRAPHQL_PARSE_FAILED"
        if error.message.startswith("Variable ") and " got invalid value " in error.message:
            return "BAD_USER_INPUT"
        return "GRAPHQL_VALIDATION_FAILED"
    return None


def _with_code(
    error: GraphQLError, code: str, message: str | None = None, **extra: Any
) -> GraphQLError:
    return GraphQLError(
        message=message or error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={**(error.extensions or {}), "code": code, **extra},
    )


TOKEN_LIMIT = "Document contains more than"
"""What graphql-core says when a query passes the token limit (it stops parsing there)."""
CLIENT_LOG_LEVELS = {"UNAVAILABLE": logging.WARNING}
"""How loud each code is in the logs; a client's mistake is INFO (the default), the store
going away a WARNING, and only the unexpected an ERROR with its traceback."""


def log_errors(errors: list[GraphQLError]) -> None:
    """Log an operation's expected errors in one line each, without a traceback.

    The unexpected ones are left to :class:`ErrorCodes`, which logs each once, at ERROR,
    with its traceback and request id.
    """
    for error in errors:
        code = (error.extensions or {}).get("code") or _code_of(error)
        if code is None or code == "INTERNAL_SERVER_ERROR":
            continue
        log.log(
            CLIENT_LOG_LEVELS.get(code, logging.INFO),
            "%s at %s: %s (request %s)",
            code,
            ".".join(map(str, error.path or ())) or "operation",
            error.message,
            correlation_id.get() or "-",
        )


class ErrorCodes(SchemaExtension):
    """Give every error an ``extensions.code``; mask and log the unexpected ones."""

    def on_operation(self) -> Iterator[None]:
        """Rewrite the operation's errors once it has run."""
        yield
        self._rewrite_all(self.execution_context.result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """Rewrite each result a WebSocket sends, before it goes: a subscription's too.

        A subscription ends with an error after its last notification (a token that
        expired, a leaver's: :mod:`api.notifications`); it gets its code here, since the
        operation itself ends only once it has been sent.
        """
        self._rewrite_all(result)
        yield

    def _rewrite_all(self, result: Any) -> None:
        errors: list[GraphQLError] | None = getattr(result, "errors", None)
        if not errors:
            return
        done: dict[int, GraphQLError] = self.__dict__.setdefault("_rewritten", {})
        rewritten = []
        for error in errors:
            if done.get(id(error)) is not error:  # a streamed result was rewritten already
                error = self._rewrite(error)
                done[id(error)] = error
            rewritten.append(error)
        result.errors = rewritten

    def _rewrite(self, error: GraphQLError) -> GraphQLError:
        code = _code_of(error)
        if code == "GRAPHQL_VALIDATION_FAILED" and TOKEN_LIMIT in error.message:
            limit = error.message.split(TOKEN_LIMIT, 1)[1].split("tokens")[0].strip()
            return _with_code(
                error,
                code,
                f"The query has more than {limit} tokens, the limit; send a shorter one.",
            )
        if code is not None:
            return _with_code(error, code)
        request_id = correlation_id.get() or "-"
        log.error(
            "unexpected error in %s (request %s)",
            ".".join(map(str, error.path or ())) or "operation",
            request_id,
            exc_info=error.original_error,
        )
        return _with_code(
            error,
            "INTERNAL_SERVER_ERROR",
            f"Something went wrong on our side. Quote request id {request_id} if you report it.",
            requestId=request_id,
        )
