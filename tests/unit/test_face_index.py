"""The 1:N index: exact nearest subjects (checked against plain numpy), real templates find
their person, replacement and removal, the memory-mapped layout, and the S3 store under moto."""

from __future__ import annotations

import itertools
import tempfile
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pytest
from enforcement import config
from enforcement.face import engine, index_store
from enforcement.face import index as face_index
from enforcement.face.engine import EngineConfig, FaceTemplate, compare
from enforcement.face.index import FaceIndex, IndexStore
from moto import mock_aws

from tests import photos

REGION = "cn-north-1"
BUCKET = "enforcement-uploads"


def synthetic(count: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centre = rng.normal(0, 0.12, 128).astype(np.float32)
    return centre + rng.normal(0, 0.05, (count, 128)).astype(np.float32)


def brute_force(matrix: np.ndarray, query: np.ndarray, k: int) -> list[tuple[int, float]]:
    distances = np.linalg.norm(matrix.astype(np.float64) - query.astype(np.float64), axis=1)
    order = np.argsort(distances, kind="stable")[:k]
    return [(int(i), float(distances[i])) for i in order]


@cache
def template(name: str) -> FaceTemplate:
    return engine.encode(photos.photo_bytes(name), EngineConfig())


# ------------------------------------------------------------------ search


def test_search_is_exact_against_numpy() -> None:
    matrix = synthetic(3000)
    ids = [f"crew#{i}" for i in range(len(matrix))]
    index = FaceIndex.from_matrix(ids, matrix)
    rng = np.random.default_rng(2)
    for row in rng.choice(len(matrix), 20, replace=False):
        query = matrix[row] + rng.normal(0, 0.03, 128).astype(np.float32)
        expected = brute_force(matrix, query, 5)
        found = index.search(query, 5)
        assert [subject for subject, _ in found] == [ids[i] for i, _ in expected]
        assert [d for _, d in found] == pytest.approx([d for _, d in expected], abs=1e-5)
        assert found[0][0] == ids[row]


def test_real_templates_find_their_person_at_the_compare_distance() -> None:
    enrolled = {
        "crew#obama": template("obama.jpg"),
        "crew#biden": template("biden.jpg"),
        "crew#hanks": template("Tom_Hanks_54745.png"),
        "crew#astronaut": template("astronaut.png"),
    }
    index = FaceIndex.build(enrolled.items())
    for probe in ("obama2.jpg", "obama3.jpg"):
        hits = index.search(template(probe), k=3)
        assert hits[0][0] == "crew#obama"
        expected = compare(enrolled["crew#obama"], template(probe), 1.0).distance
        assert hits[0][1] == pytest.approx(expected, abs=1e-5)
        assert hits[0][1] < EngineConfig().threshold < hits[1][1]
    assert [subject for subject, _ in index.search(template("biden.jpg"), 1)] == ["crew#biden"]


def test_k_larger_than_the_index_and_k_zero() -> None:
    index = FaceIndex.build([("a", synthetic(1)[0]), ("b", synthetic(1, seed=5)[0])])
    assert len(index.search(synthetic(1)[0], 10)) == 2
    assert index.search(synthetic(1)[0], 0) == []
    assert FaceIndex().search(synthetic(1)[0], 3) == []


def test_add_replaces_and_remove_hides() -> None:
    matrix = synthetic(100)
    index = FaceIndex.from_matrix([f"s{i:03d}" for i in range(100)], matrix)
    index.add("s007", matrix[50])  # s007 re-enrolled with another face
    hits = index.search(matrix[50], 2)
    assert {subject for subject, _ in hits} == {"s007", "s050"}
    assert all(distance == pytest.approx(0.0, abs=1e-6) for _, distance in hits)
    assert index.search(matrix[7], 1)[0][0] != "s007"  # the old template is gone
    index.add("new", matrix[3] + 0.001)
    index.remove("s003")
    index.remove("absent")
    assert index.search(matrix[3], 1)[0][0] == "new"
    assert len(index) == 100
    assert "s003" not in index
    assert "new" in index
    assert "s007" in index
    index.remove("new")
    assert "new" not in index
    assert len(index) == 99
    assert dict(index.items()).keys() == {f"s{i:03d}" for i in range(100)} - {"s003"}


def test_build_keeps_the_last_template_of_a_subject_and_checks_input() -> None:
    a, b = synthetic(2)
    index = FaceIndex.build([("x", a), ("y", b), ("x", b)])
    assert len(index) == 2
    assert index.search(b, 2)[0][1] == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ValueError, match="128"):
        index.add("z", np.zeros(64, np.float32))
    with pytest.raises(ValueError, match="finite"):
        index.add("z", np.full(128, np.nan, np.float32))
    with pytest.raises(ValueError, match="line"):
        index.add("two\nlines", a)
    with pytest.raises(ValueError, match="distinct"):
        FaceIndex.from_matrix(["x", "x"], synthetic(2))


def test_save_and_memory_mapped_open(tmp_path: Path) -> None:
    matrix = synthetic(500)
    ids = [f"crew#{i}" for i in reversed(range(500))]  # not sorted: from_matrix sorts
    index = FaceIndex.from_matrix(ids, matrix)
    index.add("crew#extra", matrix[0] + 0.5)
    index.remove("crew#10")
    document = index.save(tmp_path)
    assert document["count"] == 500
    assert (tmp_path / "vectors.f32").stat().st_size == 500 * 128 * 4
    opened = FaceIndex.open(tmp_path, mmap=True)
    assert isinstance(opened._vectors, np.memmap)
    assert len(opened) == 500
    assert "crew#10" not in opened
    assert "crew#extra" in opened
    for row in (0, 123, 499):
        assert opened.search(matrix[row], 1)[0][0] == ids[row]
    in_memory = FaceIndex.open(tmp_path)  # read into memory unless asked to map
    assert not isinstance(in_memory._vectors, np.memmap)
    assert in_memory.search(matrix[5], 3) == opened.search(matrix[5], 3)
    assert "subjects" in repr(opened)
    assert not any(c.isdigit() for c in repr(opened).replace("500", ""))


def test_search_over_many_rows_is_exact_with_masked_rows_and_any_order() -> None:
    """Past 4 x SAMPLE rows only the rows under a bound from a sample are ranked: the result is
    still the brute-force one, whatever rows the sample falls on."""
    from enforcement.face import flat_index

    count = 6 * flat_index.SAMPLE + 17
    matrix = synthetic(count, seed=3)
    rng = np.random.default_rng(4)
    query = matrix[11] + rng.normal(0, 0.03, 128).astype(np.float32)
    # the rows farthest from the query first, the nearest last: the sample's rows (every
    # count // SAMPLE-th from the first) are then the worst ones
    order = np.argsort(-np.linalg.norm(matrix - query, axis=1))
    matrix = np.ascontiguousarray(matrix[order])
    ids = [f"d{i:06d}" for i in range(count)]
    index = FaceIndex.from_matrix(ids, matrix)
    for k in (1, 5, 40):
        expected = brute_force(matrix, query, k)
        found = index.search(query, k)
        assert [s for s, _ in found] == [ids[i] for i, _ in expected]
        assert [d for _, d in found] == pytest.approx([d for _, d in expected], abs=1e-5)
    nearest = [s for s, _ in index.search(query, 3)]
    for subject in nearest:
        index.remove(subject)
    kept = np.array([i not in nearest for i in ids])
    expected = brute_force(matrix[kept], query, 5)
    kept_ids = [i for i in ids if i not in nearest]
    assert [s for s, _ in index.search(query, 5)] == [kept_ids[i] for i, _ in expected]


def test_equal_distances_rank_the_lower_subject_id_first() -> None:
    from enforcement.face import flat_index

    count = 5 * flat_index.SAMPLE
    matrix = synthetic(count, seed=6)
    twin = matrix[0] + 0.5  # far from everyone else
    tied = [count - 1, 9000, 3, 12345, 7, 20000 - 1, 555]
    for row in tied:
        matrix[row] = twin
    ids = [f"d{i:06d}" for i in range(count)]
    index = FaceIndex.from_matrix(ids, matrix)
    assert [s for s, _ in index.search(twin, 5)] == [ids[r] for r in sorted(tied)[:5]]
    small = FaceIndex.from_matrix(ids[:100], np.tile(twin, (100, 1)))  # every row tied
    assert [s for s, _ in small.search(twin, 3)] == ids[:3]


def test_a_sample_of_masked_rows_still_finds_the_live_ones() -> None:
    """When fewer than k sampled rows are live, the bound is infinite: every live row ranks."""
    from enforcement.face import flat_index

    count = 5 * flat_index.SAMPLE
    matrix = synthetic(count, seed=8)
    ids = [f"d{i:06d}" for i in range(count)]
    index = FaceIndex.from_matrix(ids, matrix)
    live = {9, 10, count - 2}
    for i, subject in enumerate(ids):
        if i not in live:
            index.remove(subject)
    found = index.search(matrix[10], 5)
    assert [s for s, _ in found][:1] == [ids[10]]
    assert {s for s, _ in found} == {ids[i] for i in live}
    assert len(index) == 3


# ------------------------------------------------------------------ S3


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in list(__import__("os").environ):
        if name.startswith("AWS_ENDPOINT_URL") or name == "UPLOAD_BUCKET":
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    config.settings.cache_clear()
    index_store._s3.cache_clear()
    face_index._loaded.clear()
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield client
    config.settings.cache_clear()
    index_store._s3.cache_clear()
    face_index._loaded.clear()


def keys(client: Any, prefix: str = "face-index/") -> list[str]:
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return sorted(entry["Key"] for entry in listed)


def test_enrolments_are_deltas_and_compaction_folds_them(s3: Any, tmp_path: Path) -> None:
    store = IndexStore("drivers", bucket=BUCKET, client=s3, cache_dir=tmp_path)
    assert len(store.load()) == 0
    names = ("obama.jpg", "biden.jpg", "astronaut.png", "Tom_Hanks_54745.png")
    for i, name in enumerate(names):
        store.add(f"driver#{i}", template(name))
    assert len(keys(s3, "face-index/drivers/delta/")) == 4
    loaded = store.load()
    assert loaded.search(template("obama3.jpg"), 1)[0][0] == "driver#0"

    manifest = store.compact()
    assert manifest["count"] == 4
    assert keys(s3, "face-index/drivers/delta/") == []
    base = f"face-index/drivers/base/{manifest['base']}/"
    assert [k[len(base) :] for k in keys(s3, base)] == [
        "ids.bin",
        "index.json",
        "norms.f32",
        "vectors.f32",
    ]
    head = s3.head_object(Bucket=BUCKET, Key=base + "vectors.f32")
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentLength"] == 4 * 512

    store.add("driver#0", template("biden.jpg"))  # re-enrolled
    store.remove("driver#3")
    after = store.load()
    assert not isinstance(after._vectors, np.memmap)  # the base, read from the local copy
    assert len(after) == 3
    assert {s for s, _ in after.search(template("biden.jpg"), 2)} == {"driver#0", "driver#1"}
    assert "driver#3" not in after


def test_concurrent_enrolments_are_all_kept(s3: Any, tmp_path: Path) -> None:
    writers = [IndexStore("drivers", bucket=BUCKET, client=s3, cache_dir=tmp_path) for _ in "ab"]
    matrix = synthetic(20)
    for i, (writer, row) in enumerate(zip(itertools.cycle(writers), matrix, strict=False)):
        writer.add(f"d{i}", row)
    index = writers[0].load()
    assert len(index) == 20
    assert all(index.search(row, 1)[0][0] == f"d{i}" for i, row in enumerate(matrix))


def test_a_warm_reader_refreshes_without_downloading_the_base_again(
    s3: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = IndexStore("drivers", bucket=BUCKET, client=s3, cache_dir=tmp_path)
    matrix = synthetic(50)
    store.publish(FaceIndex.from_matrix([f"d{i:02d}" for i in range(50)], matrix))
    downloads: list[str] = []
    real = s3.download_file
    monkeypatch.setattr(
        s3, "download_file", lambda *a, **kw: downloads.append(a[1]) or real(*a, **kw)
    )
    reader = store.load()
    assert len(downloads) == 4
    store.add("late", matrix[0] + 0.2)
    refreshed = store.refresh(reader)
    assert refreshed is reader  # same base: only the new delta was read
    assert "late" in refreshed
    assert len(downloads) == 4
    assert store.load().search(matrix[9], 1)[0][0] == "d09"
    assert len(downloads) == 4  # the cached copy of that version is reused
    store.compact()
    newer = store.refresh(reader)
    assert newer is not reader
    assert newer.version != reader.version
    assert "late" in newer
    assert [p.name for p in (tmp_path / "drivers").iterdir()] == [newer.version]


def test_module_level_add_and_search_use_the_upload_bucket(
    s3: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    face_index.add("crew#obama", template("obama.jpg"))
    face_index.add("crew#biden", template("biden.jpg"))
    assert face_index.search(template("obama2.jpg"), 1)[0][0] == "crew#obama"
    face_index.add("crew#hanks", template("Tom_Hanks_54745.png"))  # seen at once by this process
    assert face_index.search(template("Tom_Hanks_54745.png"), 1)[0][0] == "crew#hanks"
    face_index.remove("crew#hanks")
    assert face_index.search(template("Tom_Hanks_54745.png"), 1)[0][0] != "crew#hanks"
    assert len(keys(s3, "face-index/drivers/delta/")) == 4


def test_preload_loads_at_init_so_a_search_makes_no_s3_call(
    s3: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    matrix = synthetic(30)
    IndexStore(
        "drivers-yantai", bucket=BUCKET, client=s3, cache_dir=tmp_path / "face-index"
    ).publish(FaceIndex.from_matrix([f"yantai#{i:02d}" for i in range(30)], matrix))
    calls: list[str] = []
    index_store._s3().meta.events.register(
        "before-call.s3", lambda model, **_: calls.append(model.name)
    )
    face_index.preload(["drivers-yantai"])
    assert "GetObject" in calls
    assert "drivers-yantai" in face_index._loaded
    calls.clear()
    assert face_index.search(matrix[4], 1, "drivers-yantai")[0][0] == "yantai#04"
    assert calls == []


def test_refreshing_brings_a_stale_index_up_to_date_in_a_thread_during_the_body(
    s3: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A search photo is encoded while the city's index is refreshed beside it: the refresh's
    S3 requests come from another thread, the search after it makes none, and an index the
    process has not loaded is not fetched for a photo's key alone."""
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    matrix = synthetic(30)
    other = IndexStore("drivers-yantai", bucket=BUCKET, client=s3, cache_dir=tmp_path / "other")
    other.publish(FaceIndex.from_matrix([f"yantai#{i:02d}" for i in range(30)], matrix))
    face_index.preload(["drivers-yantai"])
    other.add("yantai#late", matrix[7] + 0.001)  # another process enrols a driver
    index, _ = face_index._loaded["drivers-yantai"]
    face_index._loaded["drivers-yantai"] = (index, 0.0)  # last brought up to date long ago
    threads: list[str] = []
    index_store._s3().meta.events.register(
        "before-call.s3", lambda **_: threads.append(threading.current_thread().name)
    )
    with face_index.refreshing("drivers-yantai"):
        pass
    assert threads
    assert threading.current_thread().name not in threads
    threads.clear()
    assert face_index.search(matrix[7] + 0.001, 1, "drivers-yantai")[0][0] == "yantai#late"
    assert threads == []
    with face_index.refreshing("drivers-nowhere"):
        pass
    assert threads == []
    assert "drivers-nowhere" not in face_index._loaded


def test_compact_all_folds_every_index_with_deltas_and_rewrites_no_quiet_one(
    s3: Any, tmp_path: Path
) -> None:
    busy = IndexStore("drivers-a", bucket=BUCKET, client=s3, cache_dir=tmp_path)
    quiet = IndexStore("crew-b", bucket=BUCKET, client=s3, cache_dir=tmp_path)
    matrix = synthetic(12)
    quiet_base = quiet.publish(FaceIndex.from_matrix([f"b{i:02d}" for i in range(6)], matrix[:6]))
    for i in range(3):
        busy.add(f"a{i}", matrix[6 + i])
    assert index_store.index_names(BUCKET, s3) == ["crew-b", "drivers-a"]
    manifests = index_store.compact_all(BUCKET, s3)
    assert manifests["crew-b"] == quiet_base  # nothing to fold: the same base, nothing written
    assert manifests["drivers-a"]["count"] == 3
    assert keys(s3, "face-index/drivers-a/delta/") == []
    assert quiet.compact() == quiet_base
    bases = {k.split("/")[3] for k in keys(s3, "face-index/crew-b/base/")}
    assert bases == {quiet_base["base"]}
    busy.add("a9", matrix[11])  # a new delta: the next run folds it
    assert index_store.compact_all(BUCKET, s3)["drivers-a"]["count"] == 4


def test_the_nightly_compaction_function_folds_the_buckets_indexes(
    s3: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import importlib.util

    from scripts.check_face_image import Context

    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    face_index.add("d1", synthetic(1)[0], "drivers-yantai")
    face_index.add("c1", synthetic(1, seed=2)[0], "crew-port")
    path = Path(__file__).parents[2] / "functions" / "face" / "compaction.py"
    spec = importlib.util.spec_from_file_location("compaction", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.lambda_handler({"source": "aws.events"}, Context())
    assert {name: entry["count"] for name, entry in result["indexes"].items()} == {
        "crew-port": 1,
        "drivers-yantai": 1,
    }
    assert keys(s3, "face-index/drivers-yantai/delta/") == []
    assert keys(s3, "face-index/crew-port/delta/") == []
