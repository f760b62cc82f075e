"""The assignment's min-cost flow solved in a process of its own.

OR-Tools' ``SimpleMinCostFlow.solve`` holds Python's GIL for the whole solve (a quarter of a
second on a few thousand mentees, longer as the organisation grows). Run from a worker
thread it would still stop the event loop, ``/healthz`` included, for that long. A process
of its own (one, started on first use and kept) solves while this one waits without the
GIL; the arrays in and out are a few megabytes at most.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.exact import flow_assignment

_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def _executor(*, fresh: bool = False) -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None or fresh:
            _pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
        return _pool


def flow_in_a_process(*args: Any, **kwargs: Any) -> npt.NDArray[np.bool_]:
    """:func:`matching.exact.flow_assignment`, computed in the solver process.

    A solver process that died (killed, out of memory) is replaced once.
    """
    try:
        return _executor().submit(flow_assignment, *args, **kwargs).result()
    except BrokenProcessPool:
        return _executor(fresh=True).submit(flow_assignment, *args, **kwargs).result()
