"""Settings of the web service, read from the environment (documented in the README)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
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
    skillweave_jwt_secret: SecretStr | None = Field(
        default=None,
        description="HS256 secret for bearer tokens. Required in production; in development a "
        "random one is kept in the data folder.",
    )
    skillweave_jwt_issuer: str = Field(
        default="skillweave", description="Expected `iss` of tokens."
    )
    skillweave_jwt_audience: str = Field(
        default="skillweave-api", description="Expected `aud` of tokens."
    )
    skillweave_token_hours: float = Field(
        default=8.0, gt=0, description="Lifetime of minted tokens, in hours."
    )
    skillweave_token_max_hours: float = Field(
        default=24.0,
        gt=0,
        description="Longest token lifetime accepted (exp − iat); longer tokens are refused.",
    )
    skillweave_request_ttl_days: float = Field(
        default=7.0, description="Days before an unanswered mentorship request expires."
    )
    skillweave_pending_request_limit: int = Field(
        default=3, description="Unanswered mentorship requests a mentee may have at once."
    )
    skillweave_expiry_sweep_seconds: float = Field(
        default=60.0, description="How often expired requests are recorded as expired."
    )
    skillweave_reminder_hours_before_expiry: float = Field(
        default=24.0,
        ge=0,
        description="Remind a mentor of an unanswered request this many hours before it "
        "expires (once, by the expiry sweep); 0: no reminders.",
    )
    skillweave_read_staleness_seconds: float = Field(
        default=1.0,
        ge=0,
        le=60,
        description="How old a read may be: a process checks the change log when its last "
        "check is older than this, when a request sends a newer X-Skillweave-Version, or after "
        "its own write. 0 checks on every request.",
    )
    skillweave_change_log_days: float = Field(
        default=7.0,
        gt=0,
        description="Days changes are kept in the change log; a process further behind "
        "reloads everything.",
    )
    skillweave_change_log_prune_seconds: float = Field(
        default=3600.0, gt=0, description="How often the change log is pruned."
    )
    skillweave_checkpoint_dir: Path | None = Field(
        default=None,
        description="A folder of this service's own where each process saves its read model "
        "(the records, pickled) after a full load and every SKILLWEAVE_CHECKPOINT_SECONDS, and "
        "starts from it: then only what changed since is read from the store. Unset: every "
        "start reads the whole graph.",
    )
    skillweave_checkpoint_seconds: float = Field(
        default=3600.0,
        gt=0,
        description="How often the read model is saved to SKILLWEAVE_CHECKPOINT_DIR, when it "
        "changed since the last save.",
    )
    skillweave_health_snapshot_hours: float = Field(
        default=0.0,
        description="Take an organisation-wide health snapshot this often, in hours (0: never).",
    )
    skillweave_demo_signin: bool = Field(
        default=False,
        description="Offer one demo person per role on the web sign-in page (`serve --demo` turns "
        "it on); ignored in production.",
    )
    skillweave_health_max_age_seconds: float = Field(
        default=30.0,
        description="How old a network-health report (and its brokers and clusters) may get "
        "while the graph keeps changing before a request recomputes it; 0: always current.",
    )
    skillweave_max_body_bytes: int = Field(
        default=1_048_576, description="Largest request body accepted (HTTP 413 above)."
    )
    skillweave_max_page_size: int = Field(
        default=100, description="Largest `first` a list accepts."
    )
    skillweave_max_query_depth: int = Field(default=10, description="Deepest query accepted.")
    skillweave_max_query_tokens: int = Field(default=2000, description="Most tokens in one query.")
    skillweave_max_aliases: int = Field(default=15, description="Most aliases in one query.")
    skillweave_allowed_hosts: str = Field(
        default="localhost,127.0.0.1,[::1]",
        description="Host names or addresses (comma-separated) the service answers to; any "
        "other Host header gets HTTP 400. `*.example.com` allows the subdomains, `*` any host. "
        "The default, loopback only, also keeps other sites' pages out (DNS rebinding).",
    )
    skillweave_max_query_cost: int = Field(
        default=10_000,
        ge=1,
        description="Largest estimated query cost (fields it could return; lists multiply).",
    )

    skillweave_webhook_poll_seconds: float = Field(
        default=1.0,
        ge=0,
        description="How often this process looks for webhook deliveries to send; 0: it sends "
        "none (another process does).",
    )
    skillweave_webhook_timeout_seconds: float = Field(
        default=5.0, gt=0, description="How long a webhook receiver has to answer one delivery."
    )
    skillweave_webhook_max_attempts: int = Field(
        default=8, ge=1, description="Tries of a webhook delivery before it becomes a dead letter."
    )
    skillweave_webhook_retry_seconds: float = Field(
        default=10.0,
        gt=0,
        description="Wait before a failed webhook delivery's first retry; doubled each time "
        "(at most an hour), with ±50% jitter.",
    )

    skillweave_event_retention_days: float = Field(
        default=90.0,
        ge=0,
        description="Days notification events (and delivered webhook deliveries) are kept; "
        "older ones are deleted, except an event a webhook delivery still waits to send or "
        "keeps as a dead letter. 0: keep them forever.",
    )
    skillweave_dead_letter_retention_days: float = Field(
        default=30.0,
        ge=0,
        description="Days a dead webhook delivery stays listed and replayable after its last "
        "try; then it is deleted (and its event with it, when older than the event "
        "retention). 0: keep dead letters forever.",
    )
    skillweave_outbox_prune_seconds: float = Field(
        default=3600.0,
        gt=0,
        description="How often old notification events and webhook deliveries are pruned "
        "(and once at start-up).",
    )

    @field_validator("skillweave_allowed_hosts")
    @classmethod
    def _hosts_are_patterns(cls, value: str) -> str:
        hosts = [host.strip() for host in value.split(",") if host.strip()]
        if not hosts:
            raise ValueError("name at least one host, or * for any")
        for host in hosts:
            if "*" in host[1:] or (host.startswith("*") and host != "*" and host[1] != "."):
                raise ValueError(f"{host!r}: a wildcard is * or like *.example.com")
        return value

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

    @property
    def demo_signin(self) -> bool:
        """Whether the sign-in page may hand out demo tokens (never in production)."""
        return self.skillweave_demo_signin and self.skillweave_env == "development"

    @property
    def allowed_hosts(self) -> list[str]:
        """The Host header values the service answers to (Starlette's TrustedHostMiddleware)."""
        return [host.strip() for host in self.skillweave_allowed_hosts.split(",") if host.strip()]

    @property
    def reminder_before(self) -> dt.timedelta:
        """How long before a request expires its mentor is reminded."""
        return dt.timedelta(hours=self.skillweave_reminder_hours_before_expiry)

    @property
    def request_ttl(self) -> dt.timedelta:
        """How long a mentorship request waits for an answer."""
        return dt.timedelta(days=self.skillweave_request_ttl_days)

    @property
    def event_retention(self) -> dt.timedelta | None:
        """How long notification events are kept; None: forever."""
        days = self.skillweave_event_retention_days
        return dt.timedelta(days=days) if days > 0 else None

    @property
    def dead_letter_retention(self) -> dt.timedelta | None:
        """How long a dead letter is kept after its last try; None: forever."""
        days = self.skillweave_dead_letter_retention_days
        return dt.timedelta(days=days) if days > 0 else None
