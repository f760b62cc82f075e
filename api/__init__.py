"""The HTTP and command-line surface: Starlette app, GraphQL schema, CLI."""
