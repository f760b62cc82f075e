"""What a query may cost, computed before it runs: lists multiply what they hold.

Depth, token and alias limits do not stop a short query from fanning out:
``{ communities { members(first: 100) { communities { members(first: 100) { … } } } } }``
is six levels and no alias, yet asks for millions of fields. The cost of a query estimates
the fields it can return:

- every field selected costs 1 for each item of the list it sits in;
- a list field multiplies what it selects by its size: the value of its ``first`` (or
  ``last``) argument (a variable's value, else the argument's default), or the number of
  ``names`` asked for
  (a report's metrics); for ``people`` (a connection), its ``first`` sizes ``edges``;
- a list without either counts as :data:`NESTED_LIST` items, or :data:`ROOT_LIST` at the
  top of the query (whole lists of the organisation), except where the model fixes or
  bounds it (:data:`BOUNDS`: a squad holds at most 12 people, a report has its columns and two per role profile).

It is an estimate: a person with more than 10 skills, or an organisation with more than
100 teams, returns more than it counts for such a list. What it bounds is the fan-out:
each nested list multiplies, so a query that nests lists is refused long before it could
return millions of fields, whatever the data.

A query costing more than ``SKILLWEAVE_MAX_QUERY_COST`` is refused before it runs with
``QUERY_TOO_COMPLEX``. The cost walk is linear in the size of the document (a limit of
2,000 tokens bounds it), and stops as soon as the estimate passes the limit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
    get_named_type,
    is_list_type,
    is_non_null_type,
    value_from_ast,
    value_from_ast_untyped,
)
from graphql.language import DocumentNode
from strawberry.extensions import SchemaExtension

from api.errors import ApiError
from graph.roles import MAX_ROLES
from matching.health.columns import COLUMNS

NESTED_LIST = 10
"""Items a nested list without ``first`` counts as (a person's skills, a squad's focus)."""
LARGEST_PAGE = 1000
"""No list returns more items than this; a bigger ``first`` is refused by the list itself
(``BAD_USER_INPUT``, naming its range), so the cost counts it at this size."""
ROOT_LIST = 100
"""Items a top-level list without ``first`` counts as (all squads, all communities, teams)."""
BOUNDS: Mapping[tuple[str, str], int] = {
    ("Squad", "members"): 12,
    ("SquadSuggestion", "members"): 12,
    ("Mentorship", "focusSkills"): 5,
    ("NetworkHealthReport", "metrics"): len(COLUMNS) + 2 * MAX_ROLES,
    ("HealthSnapshot", "metrics"): len(COLUMNS) + 2 * MAX_ROLES,
    ("ImpactRatings", "distribution"): 5,
}
"""Lists whose size the model fixes or bounds, counted at that size."""


class QueryTooComplex(ApiError):
    """The query's estimated cost passes the limit."""

    code = "QUERY_TOO_COMPLEX"


def _is_list(field: GraphQLField) -> bool:
    kind = field.type.of_type if is_non_null_type(field.type) else field.type
    return is_list_type(kind)


def _size(field_node: FieldNode, field: GraphQLField, variables: Mapping[str, Any]) -> int | None:
    """The size the arguments ask for: ``first``, ``last`` or the number of ``names``; or None."""
    for name in ("first", "last", "names"):
        argument = field.args.get(name)
        if argument is None:
            continue
        value = argument.default_value
        for given in field_node.arguments or ():
            if given.name.value == name:
                found = value_from_ast(given.value, argument.type, dict(variables))
                value = value if found is Undefined else found
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, list):
            return len(value)
    return None


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        limit: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.limit = limit

    def fields(
        self, selection_set: SelectionSetNode, parent: GraphQLObjectType, seen: frozenset[str]
    ) -> Iterator[tuple[FieldNode, GraphQLObjectType]]:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                kind = parent
                if selection.type_condition is not None:
                    named = self.schema.get_type(selection.type_condition.name.value)
                    kind = named if isinstance(named, GraphQLObjectType) else parent
                yield from self.fields(selection.selection_set, kind, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                named = self.schema.get_type(fragment.type_condition.name.value)
                kind = named if isinstance(named, GraphQLObjectType) else parent
                yield from self.fields(fragment.selection_set, kind, seen | {name})

    def cost(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLObjectType,
        *,
        root: bool = False,
        edges: int | None = None,
    ) -> int:
        total = 0
        for node, kind in self.fields(selection_set, parent, frozenset()):
            total += 1
            name = node.name.value
            if node.selection_set is None or name.startswith("__"):
                continue
            field = kind.fields.get(name)
            if field is None:
                continue
            inner = get_named_type(field.type)
            if not isinstance(inner, GraphQLObjectType):
                continue
            first = _size(node, field, self.variables)
            if first is not None:
                first = min(first, LARGEST_PAGE)
            if name == "edges" and edges is not None:
                items = edges
            elif _is_list(field):
                bound = BOUNDS.get((kind.name, name))
                items = (
                    first if first is not None else bound or (ROOT_LIST if root else NESTED_LIST)
                )
            else:
                items = 1
            connection = (first or NESTED_LIST) if inner.name.endswith("Connection") else None
            total += max(items, 0) * self.cost(node.selection_set, inner, edges=connection)
            if total > self.limit:
                return total  # enough to refuse; no need to walk the rest
        return total


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
    *,
    limit: int = 10**12,
) -> int:
    """The estimated cost of the operation ``operation_name`` of ``document`` (see above)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name and o.name.value == operation_name)
    ]
    total = 0
    for operation in chosen[:1]:
        values: dict[str, Any] = {}
        for definition in operation.variable_definitions or ():
            if definition.default_value is not None:
                values[definition.variable.name.value] = value_from_ast_untyped(
                    definition.default_value
                )
        values.update(variables or {})
        walk = _Walk(schema, fragments, values, limit)
        root = schema.get_root_type(operation.operation)
        if root is not None:
            total += walk.cost(operation.selection_set, root, root=True)
    return total


class QueryCostLimit(SchemaExtension):
    """Refuse, before it runs, a query whose estimated cost passes the limit."""

    def __init__(self, *, max_cost: int) -> None:
        super().__init__()
        self.max_cost = max_cost

    def on_validate(self) -> Iterator[None]:
        """Price a query that passed validation; put a refusal where validation errors go."""
        context = self.execution_context
        if context.pre_execution_errors == [] and context.graphql_document is not None:
            cost = query_cost(
                context.schema._schema,
                context.graphql_document,
                context.operation_name,
                context.variables,
                limit=self.max_cost,
            )
            if cost > self.max_cost:
                error = QueryTooComplex(
                    f"This query could return more than {self.max_cost:,} fields, the limit "
                    f"(estimated at {cost:,} or more). Ask for fewer items per list with "
                    "`first`, or nest fewer lists."
                )
                context.pre_execution_errors = [GraphQLError(str(error), original_error=error)]
        yield
