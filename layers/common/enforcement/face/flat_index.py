"""The in-memory side of 1:N identification: templates by subject id in one float32 matrix,
searched exactly by brute force (see `enforcement.face.index` for why, and for the S3 layout).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from enforcement.face.engine import TEMPLATE_DIMENSIONS, FaceTemplate

FORMAT: Final = "face-index/1"
VECTOR: Final = np.dtype("<f4")

Vector = npt.NDArray[np.float32]
Matrix = npt.NDArray[np.float32]


def as_vector(template: FaceTemplate | npt.ArrayLike) -> Vector:
    vector = template.vector if isinstance(template, FaceTemplate) else template
    array = np.asarray(vector, dtype=np.float32).reshape(-1)
    if array.shape != (TEMPLATE_DIMENSIONS,) or not np.all(np.isfinite(array)):
        raise ValueError(f"a template is {TEMPLATE_DIMENSIONS} finite values")
    return array


def check_id(subject_id: str) -> bytes:
    encoded = subject_id.encode()
    if not subject_id or "\n" in subject_id or encoded.endswith(b"\0"):
        raise ValueError("a subject id is a non-empty line of text")
    return encoded


class FaceIndex:
    """Templates by subject id, searchable by distance.

    A base (sorted ids, in memory or memory-mapped) plus the subjects added or removed since; a
    removed or replaced base row keeps its place but gets an infinite norm, so it never ranks.
    """

    def __init__(
        self,
        vectors: Matrix | None = None,
        norms: npt.NDArray[np.float32] | None = None,
        ids: npt.NDArray[np.bytes_] | None = None,
    ) -> None:
        self._vectors: Matrix = (
            vectors if vectors is not None else np.zeros((0, TEMPLATE_DIMENSIONS), VECTOR)
        )
        count = len(self._vectors)
        base_norms = norms if norms is not None else _norms(self._vectors)
        # a private copy: rows are masked in it (4 MB at 1M rows)
        self._norms = np.array(base_norms, dtype=np.float32)
        self._ids = ids if ids is not None else np.zeros(count, dtype="S1")
        if len(self._norms) != count or len(self._ids) != count:
            raise ValueError("vectors, norms and ids differ in length")
        self._masked = 0
        self._added: dict[str, Vector] = {}
        self._added_matrix: Matrix | None = None
        self._added_ids: list[str] = []
        self.version = ""
        self.last_delta = ""

    # ---------------------------------------------------------------- building

    @classmethod
    def build(cls, entries: Iterable[tuple[str, FaceTemplate | npt.ArrayLike]]) -> FaceIndex:
        """An index of (subject id, template) pairs, sorted by id; a later pair for the same id
        replaces the earlier one."""
        latest: dict[str, Vector] = {}
        for subject_id, template in entries:
            check_id(subject_id)
            latest[subject_id] = as_vector(template)
        return cls._from_mapping(latest)

    @classmethod
    def _from_mapping(cls, latest: dict[str, Vector]) -> FaceIndex:
        encoded = sorted((key.encode(), key) for key in latest)
        width = max((len(raw) for raw, _ in encoded), default=1)
        ids = np.array([raw for raw, _ in encoded], dtype=f"S{width}")
        vectors = np.empty((len(encoded), TEMPLATE_DIMENSIONS), dtype=VECTOR)
        for row, (_raw, key) in enumerate(encoded):
            vectors[row] = latest[key]
        return cls(vectors, _norms(vectors), ids)

    @classmethod
    def from_matrix(cls, ids: list[str], vectors: Matrix) -> FaceIndex:
        """An index over an existing (n x 128) matrix and its n distinct ids, without copying
        the matrix when the ids are already sorted (bulk loads, benchmarks)."""
        if len(ids) != len(vectors) or len(set(ids)) != len(ids):
            raise ValueError("one distinct id per row")
        order = sorted(range(len(ids)), key=lambda i: ids[i].encode())
        if order != list(range(len(ids))):
            vectors = np.ascontiguousarray(vectors[order])
            ids = [ids[i] for i in order]
        width = max((len(check_id(i)) for i in ids), default=1)
        array = np.asarray(vectors, dtype=VECTOR)
        return cls(array, _norms(array), np.array([i.encode() for i in ids], dtype=f"S{width}"))

    def save(self, directory: Path) -> dict[str, Any]:
        """Write the live entries as a base (vectors.f32, norms.f32, ids.bin, index.json) into
        `directory`; returns the index.json document."""
        merged = self if not (self._masked or self._added) else self._merged()
        directory.mkdir(parents=True, exist_ok=True)
        vectors = np.ascontiguousarray(merged._vectors, dtype=VECTOR)
        vectors.tofile(directory / "vectors.f32")
        np.ascontiguousarray(merged._norms, dtype=VECTOR).tofile(directory / "norms.f32")
        merged._ids.tofile(directory / "ids.bin")
        document = {
            "format": FORMAT,
            "count": len(vectors),
            "dimensions": TEMPLATE_DIMENSIONS,
            "id_bytes": merged._ids.dtype.itemsize,
        }
        (directory / "index.json").write_text(json.dumps(document))
        return document

    @classmethod
    def open(cls, directory: Path, *, mmap: bool = False) -> FaceIndex:
        """Read a base written by `save` into memory; `mmap` maps the matrix instead (less
        resident memory, but a search over a mapped million is ~15-20 % slower: docs/benchmarks.md
        "1:N search")."""
        document = json.loads((directory / "index.json").read_text())
        if document.get("format") != FORMAT or document["dimensions"] != TEMPLATE_DIMENSIONS:
            raise ValueError(f"{directory} is not a {FORMAT} index")
        count, width = int(document["count"]), int(document["id_bytes"])
        shape = (count, TEMPLATE_DIMENSIONS)
        if count == 0:
            return cls()
        path = directory / "vectors.f32"
        if path.stat().st_size != count * TEMPLATE_DIMENSIONS * VECTOR.itemsize:
            raise ValueError(f"{path} does not hold {count} templates")
        vectors: Matrix = (
            np.memmap(path, dtype=VECTOR, mode="r", shape=shape)
            if mmap
            else np.fromfile(path, dtype=VECTOR).reshape(shape)
        )
        norms = np.fromfile(directory / "norms.f32", dtype=VECTOR)
        ids = np.fromfile(directory / "ids.bin", dtype=f"S{width}")
        return cls(vectors, norms, ids)

    # ---------------------------------------------------------------- changes

    def _base_row(self, subject_id: str) -> int | None:
        raw = subject_id.encode()
        if len(self._ids) == 0 or len(raw) > self._ids.dtype.itemsize:
            return None
        key = np.array(raw, dtype=self._ids.dtype)
        row = int(np.searchsorted(self._ids, key))
        if row < len(self._ids) and self._ids[row] == key:
            return row
        return None

    def _mask(self, subject_id: str) -> None:
        row = self._base_row(subject_id)
        if row is not None and np.isfinite(self._norms[row]):
            self._norms[row] = np.inf
            self._masked += 1

    def add(self, subject_id: str, template: FaceTemplate | npt.ArrayLike) -> None:
        """Add a subject, or replace its template."""
        check_id(subject_id)
        vector = as_vector(template)
        self._mask(subject_id)
        self._added.pop(subject_id, None)
        self._added[subject_id] = vector
        self._added_matrix = None

    def remove(self, subject_id: str) -> None:
        """Forget a subject (a no-op when it is not in the index)."""
        self._mask(subject_id)
        if self._added.pop(subject_id, None) is not None:
            self._added_matrix = None

    def _merged(self) -> FaceIndex:
        return FaceIndex._from_mapping(dict(self.items()))

    def items(self) -> Iterator[tuple[str, Vector]]:
        """Every live (subject id, template), base first."""
        for row in np.flatnonzero(np.isfinite(self._norms)):
            yield self._ids[row].decode(), np.asarray(self._vectors[row], dtype=np.float32)
        yield from self._added.items()

    def __len__(self) -> int:
        return len(self._vectors) - self._masked + len(self._added)

    def __contains__(self, subject_id: object) -> bool:
        if not isinstance(subject_id, str):
            return False
        if subject_id in self._added:
            return True
        row = self._base_row(subject_id)
        return row is not None and bool(np.isfinite(self._norms[row]))

    def __repr__(self) -> str:
        return f"FaceIndex(<{len(self)} subjects>)"

    # ---------------------------------------------------------------- search

    def search(self, template: FaceTemplate | npt.ArrayLike, k: int = 5) -> list[tuple[str, float]]:
        """The `k` subjects closest to `template`, nearest first, with their Euclidean distances
        (as `engine.compare` computes them). Whether the first is a match is the caller's
        threshold to judge."""
        if k <= 0:
            return []
        query = as_vector(template)
        candidates: list[tuple[float, str]] = []
        if len(self._vectors):
            rows = _nearest(self._vectors, self._norms, query, k)
            for row in rows:
                vector = np.asarray(self._vectors[row], dtype=np.float64)
                candidates.append((_distance(vector, query), self._ids[row].decode()))
        if self._added:
            if self._added_matrix is None:
                self._added_ids = list(self._added)
                self._added_matrix = np.stack([self._added[i] for i in self._added_ids])
            added = self._added_matrix
            for row in _nearest(added, _norms(added), query, k):
                candidates.append((_distance(added[row], query), self._added_ids[row]))
        candidates.sort()
        return [(subject_id, distance) for distance, subject_id in candidates[:k]]


def _norms(vectors: Matrix) -> npt.NDArray[np.float32]:
    norms: npt.NDArray[np.float32] = np.einsum("ij,ij->i", vectors, vectors, dtype=np.float32)
    return norms


#: Rows sampled to bound the k-th smallest score before the whole score vector is ranked.
SAMPLE: Final = 4096


def _nearest(vectors: Matrix, norms: npt.NDArray[np.float32], query: Vector, k: int) -> list[int]:
    """Rows of the k smallest ‖v‖² - 2·v·q (the squared distance less the constant ‖q‖²), the
    lower row first among equal scores; rows with an infinite norm are skipped.

    One pass over the matrix (a float32 matrix-vector product with -2q, the norms added in
    place), then the k smallest without partitioning the whole score vector: the k-th smallest
    score of an evenly spread sample of rows is at least the k-th smallest of all, so only the
    rows scoring at most that bound (about k x rows / SAMPLE of them) are ranked. Exact: the
    bound only leaves out rows that cannot be among the k."""
    scores = vectors @ (query * np.float32(-2.0))
    scores += norms
    count = len(scores)
    sample = scores[:: count // SAMPLE] if count > 4 * SAMPLE else scores
    bound = np.partition(sample, k - 1)[k - 1] if k < len(sample) else np.inf
    rows = np.flatnonzero(scores <= bound)
    rows = rows[np.isfinite(scores[rows])]
    order = np.lexsort((rows, scores[rows]))[:k]
    return [int(r) for r in rows[order]]


def _distance(vector: npt.ArrayLike, query: Vector) -> float:
    delta = np.asarray(vector, dtype=np.float64) - query.astype(np.float64)
    return float(np.sqrt(np.dot(delta, delta)))
