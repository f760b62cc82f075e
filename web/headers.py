"""Security headers on every response: a Content-Security-Policy, no sniffing, no framing.

The pages load nothing but their own files: their ES modules, one stylesheet and
plotly.js from ``/app/vendor``; they hold no inline script, no inline event handler and
no ``style`` attribute (``ui.js`` sets styles through the CSSOM), and they call only
``/graphql``, ``/health.csv`` and ``/app/demo-users`` on the same origin. So the policy is
``'self'`` for scripts, styles, images and ``fetch``, and nothing for everything else.

Plotly needs two allowances, and no ``'unsafe-eval'`` for the charts the pages draw (bar
and scatter in SVG; its WebGL traces are the ones that compile code). It keeps its own CSS
rules in ``<style>`` elements it creates *empty* and fills through the CSSOM
(``sheet.insertRule``, which a policy does not govern), and on load it adds the fixed
stylesheet of the map library it bundles. Both are allowed by the hash of their exact
text (:func:`plotly_inline_styles`, read from the served file, so an upgrade of plotly
keeps its own), and no other inline style is. GraphiQL (development only) is the one page
with its own policy, naming the CDN it loads from: :func:`graphiql_policy`.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.routes import PLOTLY_JS

GRAPHIQL_CDN = "https://unpkg.com"
"""Where Strawberry's GraphiQL page loads React, GraphiQL and their stylesheets from."""


def policy(directives: Mapping[str, str]) -> str:
    """A Content-Security-Policy header value from ``{directive: sources}``."""
    return "; ".join(f"{name} {sources}".strip() for name, sources in directives.items())


def _hash(source: str) -> str:
    """The CSP source that allows exactly this inline script or style."""
    digest = hashlib.sha256(source.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


_STYLE_TEXT = re.compile(
    r"""createElement\("style"\);[^;]{0,200}?\.textContent=('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
)


def plotly_inline_styles(script: Path = PLOTLY_JS) -> list[str]:
    """The hashes of the inline ``<style>`` texts plotly.js adds.

    They are the empty one it fills through the CSSOM, and each fixed stylesheet it
    writes whole (``textContent='…'``).
    """
    texts = {""} | {ast.literal_eval(m) for m in _STYLE_TEXT.findall(script.read_text("utf-8"))}
    return sorted(_hash(text) for text in texts)


PAGES = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": " ".join(["'self'", *plotly_inline_styles()]),
    "img-src": "'self'",
    "connect-src": "'self'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
"""The policy of every response but the GraphiQL page: the web app's pages, their files,
JSON, CSV and the probes (on a response that is not a page it only forbids framing)."""

SECURITY_HEADERS = {
    "Content-Security-Policy": policy(PAGES),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
"""Headers every response carries; a response that sets one of its own keeps its own."""

_INLINE = re.compile(r"<(script|style)(?:\s[^>]*)?>(.*?)</\1>", re.DOTALL | re.IGNORECASE)


def graphiql_policy(html: str) -> str:
    """The policy of Strawberry's GraphiQL page: its CDN by name, its inline script by hash.

    The page loads React, GraphiQL and the explorer plugin (with subresource integrity)
    and their stylesheets from :data:`GRAPHIQL_CDN`, then starts them from one inline
    script, allowed by its hash (computed from ``html``, so an upgrade of Strawberry
    cannot slip in another). Styles are looser: GraphiQL's editors add their own at run
    time. The page queries ``/graphql`` on the same origin.
    """
    scripts = [body for tag, body in _INLINE.findall(html) if tag.lower() == "script" and body]
    return policy(
        {
            "default-src": "'none'",
            "script-src": " ".join([GRAPHIQL_CDN, *(_hash(body) for body in scripts)]),
            "style-src": f"'self' 'unsafe-inline' {GRAPHIQL_CDN}",
            "font-src": f"{GRAPHIQL_CDN} data:",
            "img-src": "'self' data:",
            "connect-src": "'self'",
            "base-uri": "'none'",
            "form-action": "'none'",
            "frame-ancestors": "'none'",
        }
    )


class SecurityHeaders:
    """ASGI middleware: add :data:`SECURITY_HEADERS` to every HTTP response.

    A response that already carries one of them (GraphiQL's own policy) keeps its value.
    """

    def __init__(self, app: ASGIApp, headers: Mapping[str, str] = SECURITY_HEADERS) -> None:
        self.app = app
        self.headers = dict(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response as it starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
