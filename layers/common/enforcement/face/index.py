"""1:N identification: the enrolled subjects whose templates are closest to a face.

Exact search by brute force over one float32 matrix. Measured on 2 cores (docs/benchmarks.md,
`make bench SUITES=face`): with the squared norms of the rows precomputed, one query is one
matrix-vector product, ~0.1 ms at 10k templates, ~2 ms at 100k and ~15-25 ms at 1M (512 MB).
The approximate libraries on PyPI were measured beside it and not chosen: faiss's exact
IndexFlatL2 is slower than this product at every size; faiss's HNSW and hnswlib answer in under
a millisecond but take minutes to build a million and then find the true nearest template for
only 10-32 % of the queries; and none of them can be memory-mapped from a plain file and
appended to by another process the way a matrix can.

Layout, in S3 under `face-index/<name>/` of the upload bucket (`IndexStore`):

- `manifest.json`: the current base, its row count, and the last delta folded into it;
- `base/<version>/vectors.f32` (n x 128 little-endian float32), `norms.f32` (n squared norms) and
  `ids.bin` (n fixed-width UTF-8 subject ids, sorted, so an id is found by binary search);
- `delta/<time>-<random>.bin`: one small object per enrolment (`add`) or removal (`remove`),
  written without reading or locking anything, so concurrent enrolments never lose each other.

A reader (`IndexStore.load`) downloads the base files once per version into /tmp and reads
the matrix into memory (a search over a memory-mapped million is ~15-20 % slower; a warm Lambda
keeps both the matrix and the /tmp copy), then applies the deltas written since, in key order:
a later entry for a subject replaces the earlier one. `IndexStore.compact` folds the deltas
into a new base; run it from one place at a time (a schedule), not from every enrolment.
`compact_all` compacts every index of the bucket and writes nothing for an index without new
deltas (a quiet city's 519 MB base is not uploaded again, nor downloaded again by its readers).

Templates are biometric data: the index holds them only in the private, encrypted upload bucket
and the function's own /tmp, and search results carry subject ids and distances, never vectors.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Final

import numpy.typing as npt

from enforcement.face.engine import FaceTemplate
from enforcement.face.flat_index import FaceIndex
from enforcement.face.index_store import DEFAULT_NAME, IndexStore, compact_all, index_names

__all__ = [
    "DEFAULT_NAME",
    "FaceIndex",
    "IndexStore",
    "add",
    "compact_all",
    "index_names",
    "preload",
    "refreshing",
    "remove",
    "search",
]

logger = logging.getLogger(__name__)

#: A reader re-lists the deltas at most this often (module-level `search`).
REFRESH_SECONDS: Final = 30.0


# ------------------------------------------------------------------ module-level use in a Lambda

_lock = threading.Lock()
_loaded: dict[str, tuple[FaceIndex, float]] = {}


def search(
    template: FaceTemplate | npt.ArrayLike,
    k: int = 5,
    name: str = DEFAULT_NAME,
    max_age: float = REFRESH_SECONDS,
) -> list[tuple[str, float]]:
    """The `k` enrolled subjects closest to `template` in the named index, nearest first.

    The index is loaded once per process (a warm Lambda keeps it) and brought up to date with
    the deltas when older than `max_age` seconds (0: every search, as an enrolment that must
    see the enrolments other processes just wrote asks).
    """
    return _current(name, max_age).search(template, k)


def preload(names: Iterable[str]) -> None:
    """Load the named indexes now: called at a function's init, so that with provisioned
    concurrency the download and the read of a large base (~1-3 s a million templates) happen
    before any photo arrives, not on a search (docs/benchmarks.md "1:N search")."""
    for name in names:
        _current(name, REFRESH_SECONDS)


@contextmanager
def refreshing(name: str, max_age: float = REFRESH_SECONDS) -> Iterator[None]:
    """Bring the named index up to date in a thread while the body runs (a search photo is
    fetched and encoded meanwhile: the refresh's S3 requests, ~20-160 ms, leave the path), and
    wait for it on the way out, so nothing runs after the invocation returns. A search in the
    body waits for the refresh under the index's lock; a refresh that fails in the thread is
    left to that search to do again, and raise. An index this process has not loaded is left
    to the search (a photo's key alone never makes a process download a city's base)."""
    with _lock:
        loaded = name in _loaded
    if not loaded:
        yield
        return
    worker = threading.Thread(target=_refresh_quietly, args=(name, max_age), daemon=True)
    worker.start()
    try:
        yield
    finally:
        worker.join()


def _refresh_quietly(name: str, max_age: float) -> None:
    try:
        _current(name, max_age)
    except Exception:  # the search that needs the index does it again, and raises
        logger.warning("index refresh in the background failed", extra={"index": name})


def _current(name: str, max_age: float) -> FaceIndex:
    with _lock:
        cached = _loaded.get(name)
        now = time.monotonic()
        if cached is None:
            index = IndexStore(name).load()
            _loaded[name] = (index, now)
        elif now - cached[1] >= max_age:
            index = IndexStore(name).refresh(cached[0])
            _loaded[name] = (index, now)
        else:
            index = cached[0]
    return index


def add(subject_id: str, template: FaceTemplate | npt.ArrayLike, name: str = DEFAULT_NAME) -> str:
    """Record an enrolment in the named index (a new delta object); returns its key."""
    key = IndexStore(name).add(subject_id, template)
    with _lock:
        cached = _loaded.get(name)
        if cached is not None:  # this process sees its own enrolment at once
            cached[0].add(subject_id, template)
    return key


def remove(subject_id: str, name: str = DEFAULT_NAME) -> str:
    """Record that a subject leaves the named index; returns the delta's key."""
    key = IndexStore(name).remove(subject_id)
    with _lock:
        cached = _loaded.get(name)
        if cached is not None:
            cached[0].remove(subject_id)
    return key
