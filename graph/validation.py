"""Checks on values before they reach the store, each with a message a person understands."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable

from graph.errors import InvalidInput
from graph.model import MAX_LEVEL, MIN_LEVEL, Priority

MAX_NAME_LENGTH = 200
MAX_TEXT_LENGTH = 2000
MAX_MENTORING_CAPACITY = 20
MAX_LANGUAGES = 20

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""Control characters (Unicode's Cc: C0, DEL, C1) and the Unicode line and paragraph separators."""


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


def single_line(
    value: str, *, what: str, max_length: int = MAX_NAME_LENGTH, required: bool = True
) -> str:
    r"""Like :func:`text`, and free of control characters (tabs, line breaks, NUL...).

    Example:
        >>> single_line("Ana\tCruz", what="name")
        Traceback (most recent call last):
        ...
        graph.errors.InvalidInput: name has a control character (U+0009) at character 4.
    """
    cleaned = text(value, what=what, max_length=max_length, required=required)
    control = _CONTROL.search(cleaned)
    if control:
        raise InvalidInput(
            f"{what} has a control character (U+{ord(control.group()):04X}) "
            f"at character {control.start() + 1}."
        )
    return cleaned


def languages(values: Iterable[str]) -> list[str]:
    """Language names: each one a non-empty name, at most :data:`MAX_LANGUAGES` of them."""
    names = [text(value, what="Language") for value in values]
    if len(names) > MAX_LANGUAGES:
        raise InvalidInput(f"List at most {MAX_LANGUAGES} languages.")
    return names


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
