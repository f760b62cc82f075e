"""Small numeric helpers shared by the health metrics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence


def share(part: int | float, whole: int | float) -> float:
    """``part / whole``, or 0 when there is nothing to divide by (counts say which)."""
    return part / whole if whole else 0.0


def gini(values: Iterable[int | float]) -> float:
    """The Gini coefficient: 0 when everyone carries the same, near 1 when one carries all.

    Mean absolute difference over all ordered pairs divided by twice the mean,
    ``Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² μ)``, computed on sorted values in O(n log n).
    0 for no values or an all-zero list.

    Example::

        gini([0, 0, 0, 3])  # 0.75
    """
    xs = sorted(values)
    n = len(xs)
    total = sum(xs)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum(rank * x for rank, x in enumerate(xs, start=1))
    return (2 * weighted) / (n * total) - (n + 1) / n


def median(values: Sequence[float]) -> float | None:
    """The median, or ``None`` for no values."""
    xs = sorted(values)
    if not xs:
        return None
    middle = len(xs) // 2
    return xs[middle] if len(xs) % 2 else (xs[middle - 1] + xs[middle]) / 2


def as_utc(value: object) -> dt.datetime | None:
    """A timestamp from the projection as an aware UTC datetime, or ``None``.

    Accepts datetimes (naive ones are taken as UTC), the store driver's temporal
    values (anything with ``to_native()``) and ISO 8601 strings; anything else is
    treated as absent, so a metric falls back to counts rather than failing.
    """
    to_native = getattr(value, "to_native", None)
    if callable(to_native):
        value = to_native()
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return None


def days(since: dt.datetime, until: dt.datetime) -> float:
    """Days from ``since`` to ``until``, fractional."""
    return (until - since).total_seconds() / 86_400
