"""Ids for records the service creates (people, teams and skills bring their own)."""

from __future__ import annotations

import uuid


def new_id(prefix: str) -> str:
    """A short random id such as ``mnt-3f9c2a7b1d04``; the prefix tells the kind."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"
