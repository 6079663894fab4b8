"""A driver's face record after enrolment: the rules of a refused photo and of a licence that
ends (face_rules), a removal written without the face engine and read by the index
(index_deltas → face.index_store), the day list's cursor, and the functions that remove a
face (the e-ticket API, the registry import) loading neither numpy nor the face package."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pytest
from enforcement import clients, config, index_deltas
from enforcement.errors import BadRequest
from enforcement.face import index_store
from enforcement.face.index import IndexStore
from enforcement.ticketing import face_rules
from enforcement.ticketing.face_models import FaceSearch
from enforcement.ticketing.face_search_list import decode_cursor, encode_cursor
from enforcement.ticketing.registry_rows import LICENCE_STATUSES
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[2]
REGION = "cn-north-1"
BUCKET = "enforcement-uploads"
ENROLLED_AT = "2026-11-30T08:00:00.000Z"


# ------------------------------------------------------------------ rules


@pytest.mark.parametrize(
    ("status", "enrolled_at", "after"),
    [
        ("pending", None, "failed"),  # a first photo refused: nothing enrolled
        ("failed", None, "failed"),
        ("pending", ENROLLED_AT, "enrolled"),  # a new photo refused: the earlier face stays
        ("enrolled", ENROLLED_AT, "enrolled"),
        ("failed", ENROLLED_AT, "enrolled"),  # a record from before the rule, index holding it
        ("removed", None, "removed"),  # a late photo of a removed face does not revive it
        (None, None, "failed"),
    ],
)
def test_a_refused_photo_never_takes_away_an_enrolled_face(
    status: str | None, enrolled_at: str | None, after: str
) -> None:
    assert face_rules.status_after_refusal(status, enrolled_at) == after


def test_the_index_holds_a_face_from_its_enrolment_until_its_removal() -> None:
    assert face_rules.face_in_index("enrolled", ENROLLED_AT)
    assert face_rules.face_in_index("pending", ENROLLED_AT)
    assert not face_rules.face_in_index("pending", None)
    assert not face_rules.face_in_index("removed", ENROLLED_AT)


def test_only_a_grant_after_the_removal_enrols_again() -> None:
    removed = "2026-12-02T07:30:00.000Z"  # clock.iso
    assert face_rules.granted_before_removal("2026-12-02T07:29:59.999Z", removed)
    assert face_rules.granted_before_removal(removed, removed)
    assert not face_rules.granted_before_removal("2026-12-02T07:30:00.001Z", removed)
    assert not face_rules.granted_before_removal("2026-12-01T00:00:00.000Z", None)


def test_only_a_revoked_or_cancelled_licence_takes_the_face_out() -> None:
    ended = {status for status in LICENCE_STATUSES if face_rules.licence_ended(status)}
    assert ended == {"revoked", "cancelled"}
    assert not face_rules.licence_ended(None)


# ------------------------------------------------------------------ a removal without numpy


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name == "UPLOAD_BUCKET":
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    config.settings.cache_clear()
    clients.reset()
    index_store._s3.cache_clear()
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield client
    config.settings.cache_clear()
    clients.reset()
    index_store._s3.cache_clear()


def test_a_removal_written_without_the_engine_is_read_by_the_index(s3: Any, tmp_path: Path) -> None:
    store = IndexStore("drivers-penglai", cache_dir=tmp_path)
    rng = np.random.default_rng(7)
    for subject in ("A", "B", "C"):
        store.add(subject, rng.normal(0, 0.1, 128).astype(np.float32))
    store.compact()  # A, B and C in a base
    key = index_deltas.remove("drivers-penglai", ["A", "C"])
    assert key.startswith("face-index/drivers-penglai/delta/")

    index = IndexStore("drivers-penglai", cache_dir=tmp_path).load()
    assert ("A" in index, "B" in index, "C" in index) == (False, True, False)
    # the same bytes as the store's own removal: one format
    own = s3.get_object(Bucket=BUCKET, Key=store.remove("B"))["Body"].read()
    assert own == index_deltas.header("remove", ["B"])
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == index_deltas.header(
        "remove", ["A", "C"]
    )
    with pytest.raises(ValueError, match="no subject"):
        index_deltas.remove("drivers-penglai", [])


# ------------------------------------------------------------------ the day list's cursor


def _raw(document: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode()


def test_a_cursor_continues_its_own_day_only() -> None:
    search = FaceSearch("fs-" + "ab" * 12, created_at="2026-12-01T03:04:05.678Z")
    day = date(2026, 12, 1)
    cursor = encode_cursor(day, search)
    assert decode_cursor(cursor, day) == (search.search_id, search.created_at)
    for bad, on in (
        (cursor, date(2026, 11, 30)),  # another day's list
        ("not-a-cursor", day),
        ("", day),
        (encode_cursor(day, FaceSearch("fs-1", created_at=search.created_at)), day),
        (encode_cursor(day, FaceSearch(search.search_id, created_at="yesterday")), day),
        ("x" * 400, day),
        (_raw({"day": "2026-12-01", "id": search.search_id, "at": 5}), day),
        (_raw(["fs-" + "ab" * 12]), day),
    ):
        with pytest.raises(BadRequest) as refused:
            decode_cursor(bad, on)
        assert refused.value.code == "cursor_invalid"


# ------------------------------------------------------------------ the functions that remove

LIST_MODULES = """
import importlib.util, json, sys
for path in sys.argv[1:]:
    spec = importlib.util.spec_from_file_location("handler", path)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
print(json.dumps(sorted(sys.modules)))
"""


def test_the_functions_that_remove_a_face_load_no_face_engine() -> None:
    """The e-ticket API and the registry import are zip functions without numpy or dlib: the
    removal must reach the index through `index_deltas`, never `enforcement.face`."""
    env = {
        **os.environ,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
    handlers = [
        ROOT / "functions" / "ticketing" / name for name in ("app.py", "registry_import.py")
    ]
    out = subprocess.run(
        [sys.executable, "-c", LIST_MODULES, *map(str, handlers)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    )
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert "enforcement.ticketing.face_removal" in loaded  # or the test proves nothing
    assert {"numpy", "enforcement.face"} & loaded == set()
