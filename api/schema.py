"""The GraphQL schema. ``schema.graphql`` at the project root is exported from it."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from api.errors import ErrorCodes
from api.mutations import Mutation
from api.queries import Query
from api.settings import AppSettings


def build_schema(settings: AppSettings) -> strawberry.Schema:
    """The schema with the protections the settings ask for."""
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        ErrorCodes,
        # Clients send the same few documents again and again: validate each once. (Parsing
        # is cheap, and ParserCache raises syntax errors past this schema's error codes.)
        lambda: ValidationCache(maxsize=256),
        lambda: QueryDepthLimiter(max_depth=settings.skillweave_max_query_depth),
        lambda: MaxTokensLimiter(max_token_count=settings.skillweave_max_query_tokens),
        lambda: MaxAliasesLimiter(max_alias_count=settings.skillweave_max_aliases),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    return strawberry.Schema(query=Query, mutation=Mutation, extensions=extensions)


schema = build_schema(AppSettings(skillweave_env="development"))
"""The schema as exported to ``schema.graphql``."""
