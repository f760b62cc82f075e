"""Opaque cursors for keyset pagination of the people directory, and checked slices."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import TypeVar

from api.errors import BadInput

DEFAULT_PAGE_SIZE = 20
T = TypeVar("T")


def encode_cursor(name: str, person_id: str) -> str:
    """The cursor just after the person with this name and id."""
    raw = json.dumps(["p", name, person_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """The (name, id) a cursor stands for.

    Raises:
        BadInput: the cursor is not one this API gave out.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, name, person_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if kind != "p" or not isinstance(name, str) or not isinstance(person_id, str):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadInput("That cursor is not valid; use the endCursor of a previous page.") from None
    return name, person_id


def page_size(first: int | None, *, cap: int) -> int:
    """A checked page size: 1 to ``cap``, :data:`DEFAULT_PAGE_SIZE` when not given."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= size <= cap:
        raise BadInput(f"`first` must be from 1 to {cap}, not {size}.")
    return size


def check_range(name: str, value: int, low: int, high: int) -> None:
    """Refuse an argument outside ``low``–``high`` with a message naming it."""
    if not low <= value <= high:
        raise BadInput(f"`{name}` must be from {low} to {high}, not {value}.")


def page_slice(items: Sequence[T], offset: int, first: int, *, cap: int) -> list[T]:
    """``items[offset : offset + first]``, with ``first`` 1 to ``cap`` and ``offset`` ≥ 0."""
    check_range("first", first, 1, cap)
    check_range("offset", offset, 0, 10**9)
    return list(items[offset : offset + first])
