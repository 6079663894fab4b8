"""A named face index in S3 and its local copy (the layout is described in
`enforcement.face.index`): deltas written without locks, bases folded by `compact`.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from enforcement import index_deltas
from enforcement.clients import per_process
from enforcement.face.engine import TEMPLATE_DIMENSIONS, FaceTemplate
from enforcement.face.flat_index import FORMAT, VECTOR, FaceIndex, Vector, as_vector, check_id

DEFAULT_NAME: Final = "drivers"
PREFIX: Final = index_deltas.PREFIX
_DELTA_MAGIC: Final = index_deltas.MAGIC  # the delta format: enforcement.index_deltas


def _delta_body(op: str, entries: list[tuple[str, Vector]]) -> bytes:
    rows = b"".join(vector.astype(VECTOR).tobytes() for _, vector in entries)
    return index_deltas.header(op, [subject_id for subject_id, _ in entries]) + rows


def _parse_delta(body: bytes) -> tuple[str, list[tuple[str, Vector | None]]]:
    if not body.startswith(_DELTA_MAGIC):
        raise ValueError("not a face index delta")
    header, _, rows = body[len(_DELTA_MAGIC) :].partition(b"\n")
    document = json.loads(header)
    op, ids = document["op"], document["ids"]
    if op == "remove":
        return op, [(subject_id, None) for subject_id in ids]
    matrix = np.frombuffer(rows, dtype=VECTOR).reshape(len(ids), TEMPLATE_DIMENSIONS)
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
        return index_deltas.delta_key(self.name)

    def add(self, subject_id: str, template: FaceTemplate | npt.ArrayLike) -> str:
        """Record an enrolment (or a new template for a subject): one new delta object, no read
        and no lock. Returns its key."""
        check_id(subject_id)
        key = self._delta_key()
        self._put(key, _delta_body("add", [(subject_id, as_vector(template))]))
        return key

    def remove(self, subject_id: str) -> str:
        """Record that a subject leaves the index. Returns the delta's key."""
        check_id(subject_id)
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
        deltas. With no delta since the current base, nothing is written: a quiet index keeps
        its base (and every warm reader its copy)."""
        current = self._manifest()
        if current["base"] and not self._keys(f"{self.prefix}delta/", current["folded"]):
            return current
        previous = current["base"]
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
        """The current index: the base (read into memory from the local cache) and every delta."""
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


def index_names(bucket: str = "", client: Any = None) -> list[str]:
    """The names of the indexes in the bucket (the upload bucket by default)."""
    store = IndexStore("any", bucket=bucket, client=client)
    names: list[str] = []
    paginator = store.client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=store.bucket, Prefix=PREFIX, Delimiter="/"):
        names += [entry["Prefix"][len(PREFIX) : -1] for entry in page.get("CommonPrefixes", [])]
    return sorted(names)


def compact_all(bucket: str = "", client: Any = None) -> dict[str, dict[str, Any]]:
    """`IndexStore.compact` of every index in the bucket, one after the other: the work of one
    scheduled run a day (one caller at a time). Returns each index's manifest."""
    return {
        name: IndexStore(name, bucket=bucket, client=client).compact()
        for name in index_names(bucket, client)
    }


def _remove_tree(path: Path) -> None:
    if path.is_dir():
        for child in path.iterdir():
            _remove_tree(child)
        path.rmdir()
    else:
        path.unlink(missing_ok=True)


@per_process
def _s3() -> Any:
    import boto3
    from botocore.config import Config

    from enforcement.config import settings

    return boto3.client(
        "s3", region_name=settings().region, config=Config(signature_version="s3v4")
    )
