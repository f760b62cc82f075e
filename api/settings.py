"""Settings of the web service, read from the environment (documented in the README)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AppSettings(BaseSettings):
    """How the service runs; every field is an environment variable in upper case."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    skillweave_env: Literal["development", "production"] = Field(
        default="development",
        description="development turns GraphiQL and introspection on; production turns them off.",
    )
    skillweave_host: str = Field(
        default="127.0.0.1", description="Interface the service listens on."
    )
    skillweave_port: int = Field(default=8000, description="Port the service listens on.")
    skillweave_graphiql: bool | None = Field(
        default=None, description="Serve GraphiQL at /graphql; defaults to on in development."
    )
    skillweave_introspection: bool | None = Field(
        default=None, description="Allow schema introspection; defaults to on in development."
    )

    @property
    def graphiql(self) -> bool:
        """Whether GraphiQL is served."""
        if self.skillweave_graphiql is not None:
            return self.skillweave_graphiql
        return self.skillweave_env == "development"

    @property
    def introspection(self) -> bool:
        """Whether introspection queries are allowed."""
        if self.skillweave_introspection is not None:
            return self.skillweave_introspection
        return self.skillweave_env == "development"
