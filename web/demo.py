"""Demo sign-in: the sign-in page offers one person per role, each with a fresh token.

The pages know nothing of the store or of tokens: the app that mounts them passes
a :data:`DemoUsers` callable to :func:`web.routes.routes` (``api.demo.demo_sign_in``
reads the store and mints the tokens), or ``None`` when demo sign-in is off.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse


@dataclass(frozen=True)
class DemoUser:
    """A person the sign-in page offers, with a token to sign in as them."""

    role: str
    person_id: str
    name: str
    token: str


class DemoUnavailable(Exception):
    """The demo people cannot be read now (the store is not answering): HTTP 503."""


DemoUsers = Callable[[Request], Awaitable[Sequence[DemoUser]]]
"""The demo people for a request, or :class:`DemoUnavailable`."""


def demo_users_endpoint(users: DemoUsers | None) -> Callable[[Request], Awaitable[JSONResponse]]:
    """The ``/app/demo-users`` endpoint: the people from ``users``, or 404 when it is None."""

    async def demo_users(request: Request) -> JSONResponse:
        """One demo person per role with a fresh token, when the server runs with ``--demo``."""
        if users is None:
            return JSONResponse(
                {"error": "Demo sign-in is off: paste a token from `skillweave token`."},
                status_code=404,
            )
        try:
            found = await users(request)
        except DemoUnavailable as error:
            return JSONResponse({"error": str(error)}, status_code=503)
        return JSONResponse(
            {
                "users": [
                    {
                        "role": user.role,
                        "personId": user.person_id,
                        "name": user.name,
                        "token": user.token,
                    }
                    for user in found
                ]
            },
            headers={"Cache-Control": "no-store"},
        )

    return demo_users
