"""Bearer tokens: who is calling, and with which role.

Tokens are JWTs signed with HS256 (PyJWT). Decoding checks the signature, the
expiry, the issuer and the audience, and accepts HS256 only, so ``alg: none``
and tokens signed with anything else are refused.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.requests import HTTPConnection

from api import bookmarks
from api.settings import AppSettings
from graph.errors import StoreError
from graph.settings import StoreSettings
from readmodel.keeper import ReadModelKeeper
from readmodel.store import ReadModel

ALGORITHM = "HS256"
SECRET_FILE = "jwt-secret"
EXPIRED = "Your session has expired; sign in again."
"""Why an expired token is refused, over HTTP and on an open subscription."""
LEFT = "This account was closed when its owner left the organisation; its tokens no longer work."
"""Why a leaver's token is refused (:func:`refuse_leavers`)."""


class Role(enum.StrEnum):
    """What a caller may do in Skillweave; :mod:`api.permissions` has the table."""

    AGENT = "agent"
    MODERATOR = "moderator"
    HR = "hr"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal(BaseUser):
    """The person behind a valid token."""

    person_id: str
    role: Role
    expires_at: dt.datetime | None = field(default=None, compare=False)
    """When the token expires (its ``exp``); a WebSocket's subscriptions end then."""

    def expired(self) -> bool:
        """Whether the token has expired by now (at ``exp``, no leeway, as :meth:`Tokens.decode`)."""
        return self.expires_at is not None and dt.datetime.now(dt.UTC) >= self.expires_at

    @property
    def is_authenticated(self) -> bool:
        """Always true: a principal only exists for a valid token."""
        return True

    @property
    def display_name(self) -> str:
        """The person id, for logs."""
        return self.person_id

    @property
    def identity(self) -> str:
        """The person id."""
        return self.person_id


DEFAULT_MAX_LIFETIME = dt.timedelta(hours=24)
LEEWAY = dt.timedelta(seconds=60)
"""How much longer than the maximum a token may live (rounding by the issuer)."""


def _hours(span: dt.timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:,.4g} hours" if hours < 48 else f"{hours / 24:,.4g} days"


class TokenError(Exception):
    """A token that cannot be accepted; the message says why."""


class Tokens:
    """Mints and checks bearer tokens with one secret."""

    def __init__(
        self,
        secret: str,
        *,
        issuer: str,
        audience: str,
        lifetime: dt.timedelta,
        max_lifetime: dt.timedelta = DEFAULT_MAX_LIFETIME,
    ) -> None:
        if len(secret) < 32:
            raise ValueError("The token secret must be at least 32 characters long.")
        if lifetime > max_lifetime:
            raise ValueError(
                f"Tokens would live {_hours(lifetime)}, longer than the most this service "
                f"accepts ({_hours(max_lifetime)}, SKILLWEAVE_TOKEN_MAX_HOURS)."
            )
        self._secret = secret
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        self.max_lifetime = max_lifetime

    @classmethod
    def from_settings(
        cls, settings: AppSettings, store_settings: StoreSettings | None = None
    ) -> Tokens:
        """Tokens with the configured secret (see :func:`token_secret`)."""
        return cls(
            token_secret(settings, store_settings or StoreSettings()),
            issuer=settings.skillweave_jwt_issuer,
            audience=settings.skillweave_jwt_audience,
            lifetime=dt.timedelta(hours=settings.skillweave_token_hours),
            max_lifetime=dt.timedelta(hours=settings.skillweave_token_max_hours),
        )

    def mint(self, person_id: str, role: Role, *, lifetime: dt.timedelta | None = None) -> str:
        """A signed token for ``person_id`` acting as ``role``.

        Raises:
            ValueError: ``lifetime`` is longer than the service accepts.
        """
        if lifetime is not None and lifetime > self.max_lifetime:
            raise ValueError(
                f"A token may live at most {_hours(self.max_lifetime)} "
                "(SKILLWEAVE_TOKEN_MAX_HOURS)."
            )
        now = dt.datetime.now(dt.UTC)
        claims: dict[str, Any] = {
            "sub": person_id,
            "role": role.value,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "exp": now + (lifetime if lifetime is not None else self.lifetime),
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def decode(self, token: str) -> Principal:
        """The principal a token names.

        Raises:
            TokenError: expired, badly signed, wrong issuer or audience, or malformed.
        """
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenError(EXPIRED) from None
        except jwt.ImmatureSignatureError as error:
            raise TokenError(f"The token is not valid yet ({error}).") from None
        except jwt.InvalidTokenError as error:
            raise TokenError(f"The token is not valid: {error}.") from None
        lives = dt.timedelta(seconds=float(claims["exp"]) - float(claims["iat"]))
        if lives > self.max_lifetime + LEEWAY:
            raise TokenError(
                f"The token lives {_hours(lives)}; this service accepts at most "
                f"{_hours(self.max_lifetime)}. Ask for a new one."
            )
        try:
            return Principal(
                person_id=str(claims["sub"]),
                role=Role(str(claims.get("role"))),
                expires_at=dt.datetime.fromtimestamp(float(claims["exp"]), dt.UTC),
            )
        except ValueError:
            raise TokenError(f"The token names an unknown role {claims.get('role')!r}.") from None


def token_secret(settings: AppSettings, store_settings: StoreSettings) -> str:
    """The HS256 secret: ``SKILLWEAVE_JWT_SECRET``, or in development one kept in the data folder.

    Raises:
        RuntimeError: production mode without ``SKILLWEAVE_JWT_SECRET``.
    """
    if settings.skillweave_jwt_secret is not None:
        return settings.skillweave_jwt_secret.get_secret_value()
    if settings.skillweave_env == "production":
        raise RuntimeError(
            "Set SKILLWEAVE_JWT_SECRET (32 characters or more) to run in production."
        )
    folder = Path(store_settings.skillweave_data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


class BearerTokens(AuthenticationBackend):
    """Starlette authentication backend for ``Authorization: Bearer <token>``."""

    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        """The caller's principal, None without a token; a bad token raises."""
        header = conn.headers.get("authorization")
        if header is None and conn.scope["type"] == "websocket":
            return None  # websockets authenticate in their connection_init payload
        if not header:
            return None
        principal = await sign_in(conn, self.tokens, header)
        return AuthCredentials([principal.role.value]), principal


async def sign_in(conn: HTTPConnection, tokens: Tokens, header: object) -> Principal:
    """The principal of an ``Authorization`` value (a header, or a WebSocket's init payload).

    Raises:
        AuthenticationError: not ``Bearer <token>``, a token refused, or a leaver's.
    """
    scheme, _, token = header.partition(" ") if isinstance(header, str) else ("", "", "")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("Send the token as 'Authorization: Bearer <token>'.")
    try:
        principal = tokens.decode(token.strip())
    except TokenError as error:
        raise AuthenticationError(str(error)) from None
    await refuse_leavers(conn, principal)
    return principal


async def refuse_leavers(conn: HTTPConnection, principal: Principal) -> None:
    """Refuse the token of someone who has left the organisation (``offboardPerson``).

    Checked against this process's read model, brought up to date when a check is due
    (the request's loaders then reuse it): a leaver is refused by every replica within
    ``SKILLWEAVE_READ_STALENESS_SECONDS`` of the off-boarding's commit, and at once by the
    process that off-boarded them. With the store down, the last model held decides.

    Raises:
        AuthenticationError: the token's person has left.
    """
    keeper: ReadModelKeeper | None = getattr(conn.app.state, "keeper", None)
    if keeper is None:
        return
    try:
        asked = conn.headers.get(bookmarks.HEADER)
        at_least = bookmarks.parse_version(asked) if asked else None
    except ValueError:
        at_least = None  # the request's first read refuses it with the reason
    try:
        projection: ReadModel | None = await keeper.current(at_least=at_least)
    except StoreError:
        # the request's own read then fails as the store does; only this check falls back
        projection = keeper.model
    else:
        conn.scope.setdefault("state", {})["projection"] = projection
    if projection is None:
        return
    if principal.person_id in projection.left:
        raise AuthenticationError(LEFT)


async def still_signed_in(conn: HTTPConnection, principal: Principal) -> None:
    """Refuse, later on, a principal signed in earlier: a WebSocket's, while it stays open.

    The same two rules as signing in: the token has not expired (:meth:`Principal.expired`),
    and its person has not left (:func:`refuse_leavers`).

    Raises:
        AuthenticationError: the token has expired since, or its person has left.
    """
    if principal.expired():
        raise AuthenticationError(EXPIRED)
    await refuse_leavers(conn, principal)
