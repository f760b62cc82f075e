"""What every resolver receives: the request and the process's store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from graph.store import Store


@dataclass
class Context:
    """Per-request context handed to resolvers as ``info.context``."""

    request: Request | WebSocket
    store: Store


Info = StrawberryInfo[Context, Any]
