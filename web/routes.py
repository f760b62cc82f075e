"""Routes of the web pages under ``/app``, their static files and the vendored chart library.

The pages hold no data of their own: each is a template shell and a JavaScript
module that asks ``/graphql`` with the token kept in the browser session. Plotly's
JavaScript is served from the installed ``plotly`` Python package, so charts work
offline and no third-party code lives in this repository.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import plotly
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from web.demo import DemoUsers, demo_users_endpoint

HERE = Path(__file__).parent
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
templates = Jinja2Templates(directory=HERE / "templates")


@jinja2.pass_context
def static_path(context: jinja2.runtime.Context, path: str) -> str:
    """A static file's address as a path from the root, for the templates.

    Never Starlette's ``url_for``, which writes the request's ``Host`` header into an
    absolute URL: a forged header would end up in the page's script addresses.
    """
    request: Request = context["request"]
    return str(request.app.url_path_for("static", path=path))


templates.env.globals["static_path"] = static_path

PAGES = {
    "signin": ("Sign in", "signin"),
    "mentor": ("Find a mentor", "mentor"),
    "path": ("My path", "path"),
    "squads": ("Build a squad", "squads"),
    "health": ("Network health", "health"),
}
"""Page name to (title, script module); ``/app/`` is the sign-in page."""


def _page(name: str) -> Route:
    title, script = PAGES[name]

    async def render(request: Request) -> Response:
        return templates.TemplateResponse(
            request, f"{name}.html", {"title": title, "script": script, "page": name}
        )

    path = "/app/" if name == "signin" else f"/app/{name}"
    return Route(path, render, name=f"page-{name}")


async def plotly_js(request: Request) -> Response:
    """plotly.js from the installed Python package (offline; cached by the browser)."""
    return FileResponse(
        PLOTLY_JS,
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


async def to_app(request: Request) -> Response:
    """The bare address opens the pages."""
    return RedirectResponse("/app/", status_code=307)


def routes(*, demo_users: DemoUsers | None = None) -> list[BaseRoute]:
    """Every web route, to mount beside ``/graphql``.

    Args:
        demo_users: the people the sign-in page offers with their tokens; None when
            demo sign-in is off (``/app/demo-users`` then answers 404).
    """
    return [
        Route("/", to_app),
        Route("/app", to_app),
        *(_page(name) for name in PAGES),
        Route("/app/demo-users", demo_users_endpoint(demo_users)),
        Route("/app/vendor/plotly.min.js", plotly_js),
        Mount("/app/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
