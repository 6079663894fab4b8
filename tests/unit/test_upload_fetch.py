"""Reading an uploaded object: one GET gives the bytes and the size (no HEAD first), an object
larger than allowed is not read, and a missing version is `ObjectMissing`."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from enforcement import uploads

from tests.unit.test_face_check import world  # noqa: F401 - the moto world fixture


def counted() -> Counter[str]:
    """S3 operations the shared client makes from now on, by name."""
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    uploads.s3_client().meta.events.register("before-call.s3", count)
    return calls


def test_one_get_reads_an_object_within_the_limit(world: Any) -> None:  # noqa: F811
    aws = world.aws
    put = aws.s3.put_object(Bucket=aws.bucket, Key="uploads/check/c1/a", Body=b"x" * 100)
    calls = counted()
    assert uploads.fetch("uploads/check/c1/a", 100, put.get("VersionId")) == (b"x" * 100, 100)
    assert calls == Counter({"GetObject": 1})


def test_an_object_over_the_limit_is_sized_by_its_get_and_not_read(world: Any) -> None:  # noqa: F811
    aws = world.aws
    put = aws.s3.put_object(Bucket=aws.bucket, Key="uploads/check/c2/a", Body=b"x" * 101)
    calls = counted()
    assert uploads.fetch("uploads/check/c2/a", 100, put.get("VersionId")) == (None, 101)
    assert calls == Counter({"GetObject": 1})


def test_a_missing_object_is_object_missing(world: Any) -> None:  # noqa: F811
    with pytest.raises(uploads.ObjectMissing):
        uploads.fetch("uploads/check/c3/nothing", 100)
