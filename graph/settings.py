"""Where the skills graph lives, read from the environment.

With ``NEO4J_URI`` set, Skillweave talks to that Neo4j 5 server. Without it, it
starts the embedded ArcadeDB store (a child process speaking Bolt on loopback)
with its data in ``SKILLWEAVE_DATA_DIR``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class StoreSettings(BaseSettings):
    """Connection settings for the skills graph store.

    Every field maps to an environment variable of the same name in upper case
    (``neo4j_uri`` -> ``NEO4J_URI``); the defaults suit a developer laptop.
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    neo4j_uri: str | None = Field(
        default=None, description="Bolt URI of a Neo4j 5 server; unset means the embedded store."
    )
    neo4j_user: str = Field(default="neo4j", description="Neo4j user name.")
    neo4j_password: str = Field(default="", description="Neo4j password.")
    neo4j_database: str = Field(default="neo4j", description="Neo4j database name.")
    skillweave_data_dir: Path = Field(
        default=Path(".skillweave/data"),
        description="Folder of the embedded store's data, kept across restarts.",
    )
    skillweave_embedded_heap: str = Field(
        default="2g", description="Maximum Java heap of the embedded store (e.g. 2g, 4g)."
    )
    skillweave_embedded_start_timeout: float = Field(
        default=90.0, description="Seconds to wait for the embedded store to answer on Bolt."
    )

    @property
    def embedded(self) -> bool:
        """True when no Neo4j URI is configured and the embedded store is used."""
        return not self.neo4j_uri

    @property
    def address(self) -> str:
        """Which store these settings name: the Bolt URI and database, or the embedded folder."""
        if self.neo4j_uri:
            return f"{self.neo4j_uri}#{self.neo4j_database}"
        return f"embedded:{self.skillweave_data_dir.resolve()}"
