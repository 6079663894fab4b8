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

A reader (`IndexStore.load`) downloads the base files once per version into /tmp and
memory-maps them (the page cache, not the Python heap, holds the matrix; a warm Lambda reuses
them), then applies the deltas written since, in key order: a later entry for a subject
replaces the earlier one. `IndexStore.compact` folds the deltas into a new base; run it from one
place at a time (a schedule), not from every enrolment.

Templates are biometric data: the index holds them only in the private, encrypted upload bucket
and the function's own /tmp, and search results carry subject ids and distances, never vectors.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from enforcement.face.engine import TEMPLATE_DIMENSIONS, FaceTemplate

__all__ = [
    "DEFAULT_NAME",
    "FaceIndex",
    "IndexStore",
    "add",
    "remove",
    "search",
]

DEFAULT_NAME: Final = "drivers"
PREFIX: Final = "face-index/"
FORMAT: Final = "face-index/1"
_VECTOR: Final = np.dtype("<f4")
_DELTA_MAGIC: Final = b"FACEIDX1\n"
#: A reader re-lists the deltas at most this often (module-level `search`).
REFRESH_SECONDS: Final = 30.0

Vector = npt.NDArray[np.float32]
Matrix = npt.NDArray[np.float32]


def _as_vector(template: FaceTemplate | npt.ArrayLike) -> Vector:
    vector = template.vector if isinstance(template, FaceTemplate) else template
    array = np.asarray(vector, dtype=np.float32).reshape(-1)
    if array.shape != (TEMPLATE_DIMENSIONS,) or not np.all(np.isfinite(array)):
        raise ValueError(f"a template is {TEMPLATE_DIMENSIONS} finite values")
    return array


def _check_id(subject_id: str) -> bytes:
    encoded = subject_id.encode()
    if not subject_id or "\n" in subject_id or encoded.endswith(b"\0"):
        raise ValueError("a subject id is a non-empty line of text")
    return encoded


class FaceIndex:
    """Templates by subject id, searchable by distance.

    A base (sorted ids, memory-mapped or in memory) plus the subjects added or removed since; a
    removed or replaced base row keeps its place but gets an infinite norm, so it never ranks.
    """

    def __init__(
        self,
        vectors: Matrix | None = None,
        norms: npt.NDArray[np.float32] | None = None,
        ids: npt.NDArray[np.bytes_] | None = None,
    ) -> None:
        self._vectors: Matrix = (
            vectors if vectors is not None else np.zeros((0, TEMPLATE_DIMENSIONS), _VECTOR)
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
            _check_id(subject_id)
            latest[subject_id] = _as_vector(template)
        return cls._from_mapping(latest)

    @classmethod
    def _from_mapping(cls, latest: dict[str, Vector]) -> FaceIndex:
        encoded = sorted((key.encode(), key) for key in latest)
        width = max((len(raw) for raw, _ in encoded), default=1)
        ids = np.array([raw for raw, _ in encoded], dtype=f"S{width}")
        vectors = np.empty((len(encoded), TEMPLATE_DIMENSIONS), dtype=_VECTOR)
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
        width = max((len(_check_id(i)) for i in ids), default=1)
        array = np.asarray(vectors, dtype=_VECTOR)
        return cls(array, _norms(array), np.array([i.encode() for i in ids], dtype=f"S{width}"))

    def save(self, directory: Path) -> dict[str, Any]:
        """Write the live entries as a base (vectors.f32, norms.f32, ids.bin, index.json) into
        `directory`; returns the index.json document."""
        merged = self if not (self._masked or self._added) else self._merged()
        directory.mkdir(parents=True, exist_ok=True)
        vectors = np.ascontiguousarray(merged._vectors, dtype=_VECTOR)
        vectors.tofile(directory / "vectors.f32")
        np.ascontiguousarray(merged._norms, dtype=_VECTOR).tofile(directory / "norms.f32")
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
    def open(cls, directory: Path, *, mmap: bool = True) -> FaceIndex:
        """Read a base written by `save`; `mmap` maps the matrix instead of reading it."""
        document = json.loads((directory / "index.json").read_text())
        if document.get("format") != FORMAT or document["dimensions"] != TEMPLATE_DIMENSIONS:
            raise ValueError(f"{directory} is not a {FORMAT} index")
        count, width = int(document["count"]), int(document["id_bytes"])
        shape = (count, TEMPLATE_DIMENSIONS)
        if count == 0:
            return cls()
        path = directory / "vectors.f32"
        if path.stat().st_size != count * TEMPLATE_DIMENSIONS * _VECTOR.itemsize:
            raise ValueError(f"{path} does not hold {count} templates")
        vectors: Matrix = (
            np.memmap(path, dtype=_VECTOR, mode="r", shape=shape)
            if mmap
            else np.fromfile(path, dtype=_VECTOR).reshape(shape)
        )
        norms = np.fromfile(directory / "norms.f32", dtype=_VECTOR)
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
        _check_id(subject_id)
        vector = _as_vector(template)
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
        query = _as_vector(template)
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


def _nearest(vectors: Matrix, norms: npt.NDArray[np.float32], query: Vector, k: int) -> list[int]:
    """Rows of the k smallest ‖v‖² - 2·v·q (the squared distance less the constant ‖q‖²);
    rows with an infinite norm are skipped."""
    scores = norms - 2.0 * (vectors @ query)
    take = min(k, len(scores))
    if take < len(scores):
        rows = np.argpartition(scores, take - 1)[:take]
    else:
        rows = np.arange(len(scores))
    rows = rows[np.isfinite(scores[rows])]
    return [int(r) for r in rows[np.argsort(scores[rows], kind="stable")]]


def _distance(vector: npt.ArrayLike, query: Vector) -> float:
    delta = np.asarray(vector, dtype=np.float64) - query.astype(np.float64)
    return float(np.sqrt(np.dot(delta, delta)))


# ------------------------------------------------------------------ S3


def _delta_body(op: str, entries: list[tuple[str, Vector]]) -> bytes:
    header = json.dumps({"op": op, "ids": [subject_id for subject_id, _ in entries]})
    rows = b"".join(vector.astype(_VECTOR).tobytes() for _, vector in entries)
    return _DELTA_MAGIC + header.encode() + b"\n" + rows


def _parse_delta(body: bytes) -> tuple[str, list[tuple[str, Vector | None]]]:
    if not body.startswith(_DELTA_MAGIC):
        raise ValueError("not a face index delta")
    header, _, rows = body[len(_DELTA_MAGIC) :].partition(b"\n")
    document = json.loads(header)
    op, ids = document["op"], document["ids"]
    if op == "remove":
        return op, [(subject_id, None) for subject_id in ids]
    matrix = np.frombuffer(rows, dtype=_VECTOR).reshape(len(ids), TEMPLATE_DIMENSIONS)
    return op, [(subject_id, matrix[i].astype(np.float32)) for i, subject_id in enumerate(ids)]


@dataclass
class IndexStore:
    """One named index in S3 (see the module's docstring for the layout) and its local copy.

    `bucket` defaults to the upload bucket; `cache_dir` to <tmp>/face-index, the writable place
    in a Lambda (its ephemeral storage must hold the base: 520 MB per million subjects).
    """

    name: str = DEFAULT_NAME
    bucket: str = ""
    client: Any = None
    cache_dir: Path | None = None

    def __post_init__(self) -> None:
        if not self.name or "/" in self.name:
            raise ValueError("an index name is one path segment")
        if not self.bucket:
            from enforcement.config import settings

            self.bucket = settings().upload_bucket
        if self.client is None:
            self.client = _s3()
        if self.cache_dir is None:
            self.cache_dir = Path(tempfile.gettempdir()) / "face-index"

    @property
    def prefix(self) -> str:
        return f"{PREFIX}{self.name}/"

    # ---------------------------------------------------------------- writers

    def _put(self, key: str, body: bytes) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=key, Body=body, ServerSideEncryption="AES256"
        )

    def _delta_key(self) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        return f"{self.prefix}delta/{stamp}-{secrets.token_hex(4)}.bin"

    def add(self, subject_id: str, template: FaceTemplate | npt.ArrayLike) -> str:
        """Record an enrolment (or a new template for a subject): one new delta object, no read
        and no lock. Returns its key."""
        _check_id(subject_id)
        key = self._delta_key()
        self._put(key, _delta_body("add", [(subject_id, _as_vector(template))]))
        return key

    def remove(self, subject_id: str) -> str:
        """Record that a subject leaves the index. Returns the delta's key."""
        _check_id(subject_id)
        key = self._delta_key()
        self._put(key, _delta_body("remove", [(subject_id, np.zeros(0, np.float32))]))
        return key

    def publish(self, index: FaceIndex, folded: str = "") -> dict[str, Any]:
        """Upload `index` as the new base and point the manifest at it; `folded` is the last
        delta key it already contains. Returns the manifest."""
        version = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"
        with tempfile.TemporaryDirectory(prefix="face-index-") as tmp:
            document = index.save(Path(tmp))
            for name in ("vectors.f32", "norms.f32", "ids.bin", "index.json"):
                self.client.upload_file(
                    str(Path(tmp) / name),
                    self.bucket,
                    f"{self.prefix}base/{version}/{name}",
                    ExtraArgs={"ServerSideEncryption": "AES256"},
                )
        manifest = {"format": FORMAT, "base": version, "count": document["count"]}
        manifest["folded"] = folded
        self._put(f"{self.prefix}manifest.json", json.dumps(manifest).encode())
        return manifest

    def compact(self) -> dict[str, Any]:
        """Fold every delta into a new base, then delete the deltas folded in. One caller at a
        time (e.g. a daily schedule): two concurrent compactions could drop each other's
        deltas."""
        previous = self._manifest()["base"]
        index = self.load()
        manifest = self.publish(index, folded=index.last_delta)
        keep = {manifest["base"], previous}  # a reader may still be downloading the previous
        for key in self._keys(f"{self.prefix}base/"):
            if key[len(f"{self.prefix}base/") :].split("/", 1)[0] not in keep:
                self.client.delete_object(Bucket=self.bucket, Key=key)
        for key in self._keys(f"{self.prefix}delta/"):
            if manifest["folded"] and key <= manifest["folded"]:
                self.client.delete_object(Bucket=self.bucket, Key=key)
        return manifest

    # ---------------------------------------------------------------- readers

    def _manifest(self) -> dict[str, Any]:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=f"{self.prefix}manifest.json")
        except self.client.exceptions.NoSuchKey:
            return {"format": FORMAT, "base": "", "count": 0, "folded": ""}
        manifest: dict[str, Any] = json.loads(body["Body"].read())
        if manifest.get("format") != FORMAT:
            raise ValueError(f"{self.prefix}manifest.json is not a {FORMAT} manifest")
        return manifest

    def _keys(self, prefix: str, after: str = "") -> list[str]:
        keys: list[str] = []
        arguments = {"Bucket": self.bucket, "Prefix": prefix}
        if after:
            arguments["StartAfter"] = after
        for page in self.client.get_paginator("list_objects_v2").paginate(**arguments):
            keys += [entry["Key"] for entry in page.get("Contents", [])]
        return sorted(keys)

    def _base(self, version: str) -> Path:
        """The base files of `version` in the local cache, downloaded once (to a temporary
        name first, so a crash never leaves a half-written copy in place)."""
        assert self.cache_dir is not None
        local = self.cache_dir / self.name / version
        if (local / "index.json").exists():
            return local
        partial = self.cache_dir / self.name / f".{version}.{secrets.token_hex(3)}"
        partial.mkdir(parents=True, exist_ok=True)
        for name in ("vectors.f32", "norms.f32", "ids.bin", "index.json"):
            self.client.download_file(
                self.bucket, f"{self.prefix}base/{version}/{name}", str(partial / name)
            )
        try:
            os.replace(partial, local)
        except OSError:  # another thread put the same version in place first
            if not (local / "index.json").exists():
                raise
        for old in (self.cache_dir / self.name).iterdir():  # earlier versions are not needed
            if old.name != version and not old.name.startswith("."):
                _remove_tree(old)
        return local

    def load(self) -> FaceIndex:
        """The current index: the base (memory-mapped from the local cache) and every delta."""
        for _attempt in range(3):
            manifest = self._manifest()
            index = (
                FaceIndex.open(self._base(manifest["base"])) if manifest["base"] else FaceIndex()
            )
            index.version = manifest["base"]
            index.last_delta = manifest["folded"]
            try:
                return self.apply_deltas(index)
            except self.client.exceptions.NoSuchKey:
                continue  # a compaction removed a delta meanwhile: read the new manifest
        raise RuntimeError(f"face index {self.name} kept changing while it was read")

    def apply_deltas(self, index: FaceIndex) -> FaceIndex:
        """Apply the deltas written after `index.last_delta`, oldest first."""
        for key in self._keys(f"{self.prefix}delta/", index.last_delta):
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            op, entries = _parse_delta(body)
            for subject_id, vector in entries:
                if op == "add" and vector is not None:
                    index.add(subject_id, vector)
                elif op == "remove":
                    index.remove(subject_id)
            index.last_delta = key
        return index

    def refresh(self, index: FaceIndex) -> FaceIndex:
        """`index` brought up to date: the same object with new deltas applied, or a new
        index when the base was compacted meanwhile."""
        if self._manifest()["base"] != index.version:
            return self.load()
        try:
            return self.apply_deltas(index)
        except self.client.exceptions.NoSuchKey:
            return self.load()


def _remove_tree(path: Path) -> None:
    if path.is_dir():
        for child in path.iterdir():
            _remove_tree(child)
        path.rmdir()
    else:
        path.unlink(missing_ok=True)


@lru_cache(maxsize=1)
def _s3() -> Any:
    import boto3
    from botocore.config import Config

    from enforcement.config import settings

    return boto3.client(
        "s3", region_name=settings().region, config=Config(signature_version="s3v4")
    )


# ------------------------------------------------------------------ module-level use in a Lambda

_lock = threading.Lock()
_loaded: dict[str, tuple[FaceIndex, float]] = {}


def search(
    template: FaceTemplate | npt.ArrayLike, k: int = 5, name: str = DEFAULT_NAME
) -> list[tuple[str, float]]:
    """The `k` enrolled subjects closest to `template` in the named index, nearest first.

    The index is loaded once per process (a warm Lambda keeps it) and brought up to date with
    the deltas at most every REFRESH_SECONDS.
    """
    with _lock:
        cached = _loaded.get(name)
        now = time.monotonic()
        if cached is None:
            index = IndexStore(name).load()
            _loaded[name] = (index, now)
        elif now - cached[1] >= REFRESH_SECONDS:
            index = IndexStore(name).refresh(cached[0])
            _loaded[name] = (index, now)
        else:
            index = cached[0]
    return index.search(template, k)


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
