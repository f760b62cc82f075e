"""Checks on values before they reach the store, each with a message a person understands."""

from __future__ import annotations

import zoneinfo

from graph.errors import InvalidInput
from graph.model import MAX_LEVEL, MIN_LEVEL, Priority

MAX_NAME_LENGTH = 200
MAX_TEXT_LENGTH = 2000
MAX_MENTORING_CAPACITY = 20


def level(value: int, *, skill: str = "") -> int:
    """A skill level from 1 to 5."""
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_LEVEL <= value <= MAX_LEVEL:
        about = f" for {skill}" if skill else ""
        raise InvalidInput(
            f"Skill level{about} must be a whole number from {MIN_LEVEL} to {MAX_LEVEL}, "
            f"not {value!r}."
        )
    return value


def priority(value: int, *, skill: str = "") -> int:
    """A learning-goal priority: 1 (high), 2 (medium) or 3 (low)."""
    if isinstance(value, bool) or value not in {p.value for p in Priority}:
        about = f" for {skill}" if skill else ""
        raise InvalidInput(
            f"Priority{about} must be 1 (high), 2 (medium) or 3 (low), not {value!r}."
        )
    return int(value)


def text(value: str, *, what: str, max_length: int = MAX_NAME_LENGTH, required: bool = True) -> str:
    """A trimmed string, non-empty when required and no longer than ``max_length``."""
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidInput(f"{what} must not be empty.")
    if len(cleaned) > max_length:
        raise InvalidInput(f"{what} is {len(cleaned)} characters long; the limit is {max_length}.")
    return cleaned


def capacity(value: int) -> int:
    """How many mentees someone takes at once: 0 to 20."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 0 <= value <= MAX_MENTORING_CAPACITY
    ):
        raise InvalidInput(
            f"Mentoring capacity must be a whole number from 0 to {MAX_MENTORING_CAPACITY}, "
            f"not {value!r}."
        )
    return value


def timezone(value: str) -> str:
    """An IANA time zone name such as ``Asia/Manila``."""
    name = value.strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"{value!r} is not a time zone; use a name such as Asia/Manila."
        ) from None
    return name
