"""The GraphQL schema. ``schema.graphql`` at the project root is exported from it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import lru_cache

import strawberry
from graphql import GraphQLError
from graphql.language import parse
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from api.cost import QueryCostLimit
from api.errors import ErrorCodes, log_errors
from api.mutations import Mutation
from api.notifications import Subscription
from api.queries import Query
from api.settings import AppSettings

_parse = lru_cache(maxsize=256)(parse)


class ParseOnce(SchemaExtension):
    """Parse each distinct document once (clients send the same few again and again).

    A document that does not parse is left to Strawberry, which reports it as before
    (``GRAPHQL_PARSE_FAILED``); Strawberry's ``ParserCache`` would raise it past
    :class:`api.errors.ErrorCodes`.
    """

    def on_parse(self) -> Iterator[None]:
        """Use the parsed document of an earlier request with the same text."""
        context = self.execution_context
        if context.query:
            with contextlib.suppress(GraphQLError):
                context.graphql_document = _parse(context.query, **context.parse_options)
        yield


class SkillweaveSchema(strawberry.Schema):
    """Strawberry's schema, logging errors by what they are (:func:`api.errors.log_errors`).

    Strawberry logs every error at ERROR with its traceback: thirty ordinary refusals wrote
    about a thousand lines.
    """

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log expected errors in a line each; the unexpected are logged by ErrorCodes."""
        log_errors(errors)


def build_schema(settings: AppSettings) -> strawberry.Schema:
    """The schema with the protections the settings ask for."""
    # The limits' validation rules are made once: a limiter made per request brings a new
    # rule class each time, and ValidationCache, keyed by the rules, would never hit.
    limits = [
        *QueryDepthLimiter(max_depth=settings.skillweave_max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.skillweave_max_aliases).validation_rules,
    ]
    production = settings.skillweave_env == "production"
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        ErrorCodes,
        # Clients send the same few documents again and again: parse and validate each once.
        ParseOnce,
        lambda: ValidationCache(maxsize=256),
        lambda: AddValidationRules(limits),
        lambda: MaxTokensLimiter(max_token_count=settings.skillweave_max_query_tokens),
        # after validation (ValidationCache): only a valid document is priced
        lambda: QueryCostLimit(max_cost=settings.skillweave_max_query_cost),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    # In production, validation messages lose graphql-core's "Did you mean …?" hints, which
    # would map the schema out for someone whom introspection is closed to.
    config = StrawberryConfig(disable_field_suggestions=production)
    return SkillweaveSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=config,
    )


schema = build_schema(AppSettings(skillweave_env="development"))
"""The schema as exported to ``schema.graphql``."""
