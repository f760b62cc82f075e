"""The read model's records on local disk, so a process starts without reading the whole graph.

A full load reads every person, skill, mentorship and group over Bolt and builds a record of
each: at 300,000 people that is minutes of the store's and the process's time, and the
driver's intermediate rows leave the process holding twice the memory the records need. A
checkpoint is the records themselves (:class:`~graph.records.GraphData`), pickled with the
graph version they were read at. A starting process loads it, then reads only what the change
log names since that version (:meth:`readmodel.keeper.ReadModelKeeper.current`); a checkpoint
of another graph (another epoch), one behind a pruned change log, or one ahead of the store
(restored from an older backup) is refused by the change log itself and the process loads
everything, as without one.

A checkpoint is only ever read by the code that wrote it: its header carries a digest of the
modules that define and read the records (:data:`SOURCES`), and the Python version, and a file
whose header differs is ignored. Files are written to a temporary name and renamed, so a
reader never sees half of one, and created readable by the service's user only: unpickling
runs code named in the file, so the folder must be the service's own
(``SKILLWEAVE_CHECKPOINT_DIR``, see the README).
"""

from __future__ import annotations

import copyreg
import dataclasses
import gc
import hashlib
import logging
import os
import pickle
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO

import graph.export
import graph.model
import graph.records
from graph.records import GraphData, empty_mapping

log = logging.getLogger(__name__)

FORMAT = 2
"""The layout of the file itself: a header, the records but people and mentorships, then
those in chunks of :data:`CHUNK`, each a pickle of its own."""

CHUNK = 5_000
"""Records per pickle. An unpickler keeps everything it made (and each record's state list)
until its pickle ends; freed all at once, those left holes across the heap that Python never
handed back (a sixth more memory than a model read from the store). A chunk's are freed
while the next chunk reuses the space."""

SOURCES = (graph.records, graph.export, graph.model)
"""Modules whose code decides what a record holds: any edit makes older checkpoints stale."""


def _code_digest() -> str:
    digest = hashlib.sha256()
    for module in SOURCES:
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(f"{sys.version_info.major}.{sys.version_info.minor}".encode())
    return digest.hexdigest()


def _reduce_mapping_proxy(found: MappingProxyType[Any, Any]) -> tuple[Any, tuple[Any, ...]]:
    # Records share one empty read-only mapping (most people are in no squad); pickle has
    # no reducer for it, and a copy per record would cost memory.
    if not found:
        return empty_mapping, ()
    return MappingProxyType, (dict(found),)


def _dump_chunked(pickler: pickle.Pickler, data: GraphData) -> None:
    rest = dataclasses.replace(data, people=[], mentorships=[])
    pickler.dump(rest)
    for kind, records in (("people", data.people), ("mentorships", data.mentorships)):
        for start in range(0, len(records), CHUNK):
            pickler.clear_memo()
            pickler.dump((kind, records[start : start + CHUNK]))
    pickler.clear_memo()
    pickler.dump(("end", len(data.people), len(data.mentorships)))


def _load_chunked(file: BinaryIO) -> GraphData | None:
    data = pickle.load(file)
    if not isinstance(data, GraphData):
        return None
    while True:
        item = pickle.load(file)
        if item[0] == "end":
            complete = (len(data.people), len(data.mentorships)) == tuple(item[1:])
            return data if complete else None
        if item[0] not in ("people", "mentorships"):
            return None
        getattr(data, item[0]).extend(item[1])


@dataclass(frozen=True)
class Header:
    """What a checkpoint says of itself before its records are read."""

    format: int
    code: str
    """:func:`_code_digest` of the writer."""
    version: Any
    """The graph version the records were read at."""
    people: int
    written_at: float
    """Unix time."""


class Checkpoint:
    """One checkpoint file: the records of the graph a store holds, at one version."""

    def __init__(self, folder: Path, store: str) -> None:
        """``store`` names the store (``StoreSettings.address``): one file per store."""
        name = hashlib.sha256(store.encode()).hexdigest()[:16]
        self.folder = folder
        self.path = folder / f"readmodel-{name}.pickle"

    def header(self) -> Header | None:
        """The file's header, or None when there is no readable file of this code's."""
        try:
            with self.path.open("rb") as file:
                return self._header(file)
        except FileNotFoundError:
            return None
        except Exception as error:  # a torn or foreign file is a cache miss, not an outage
            log.warning("ignoring the read-model checkpoint %s: %s", self.path, error)
            return None

    def _header(self, file: BinaryIO) -> Header | None:
        found = pickle.load(file)
        if not isinstance(found, Header):
            raise ValueError("it does not start with a checkpoint header")
        if found.format != FORMAT or found.code != _code_digest():
            log.info("the read-model checkpoint %s was written by other code: not used", self.path)
            return None
        return found

    def read(self) -> GraphData | None:
        """The records, or None when the file is missing, of other code, or unreadable."""
        started = time.perf_counter()
        try:
            with self.path.open("rb") as file:
                header = self._header(file)
                if header is None:
                    return None
                collecting = gc.isenabled()
                gc.disable()  # millions of new objects, none garbage: no collection passes
                try:
                    data = _load_chunked(file)
                finally:
                    if collecting:
                        gc.enable()
        except FileNotFoundError:
            return None
        except Exception as error:
            log.warning("ignoring the read-model checkpoint %s: %s", self.path, error)
            return None
        if not isinstance(data, GraphData) or data.version != header.version:
            log.warning("ignoring the read-model checkpoint %s: it holds something else", self.path)
            return None
        log.info(
            "read the read-model checkpoint of %d people at version %s in %.1f s",
            len(data.people),
            data.version,
            time.perf_counter() - started,
        )
        return data

    def write(self, data: GraphData) -> None:
        """Save ``data`` (complete: every record of the graph), replacing the file at once.

        Records are immutable, so ``data`` may share them with a model that changes
        meanwhile; its lists and dicts must not change while this runs.
        """
        started = time.perf_counter()
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        header = Header(
            format=FORMAT,
            code=_code_digest(),
            version=data.version,
            people=len(data.people),
            written_at=time.time(),
        )
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".readmodel-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:  # mkstemp creates it 0600
                pickler = pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)
                pickler.dispatch_table = {
                    **copyreg.dispatch_table,
                    MappingProxyType: _reduce_mapping_proxy,
                }
                pickler.dump(header)
                pickler.clear_memo()  # each pickle loads with an unpickler of its own
                _dump_chunked(pickler, data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        log.info(
            "wrote the read-model checkpoint of %d people at version %s in %.1f s",
            header.people,
            data.version,
            time.perf_counter() - started,
        )
