"""Evidence photo bounds: the pixel limit (Settings.evidence_max_pixels) is read from the header
and refuses before any pixel is decoded; photos within it are checked as complete images."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from enforcement import config, evidence
from enforcement.face.images import FaceError
from PIL import ImageFile

from tests import photos

MAX_BYTES = 6 * 1024 * 1024


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("EVIDENCE_MAX_PIXELS", raising=False)
    monkeypatch.delenv("FACE_MAX_PIXELS", raising=False)
    config.settings.cache_clear()
    yield
    config.settings.cache_clear()


def _no_decoding(self: ImageFile.ImageFile) -> None:
    raise AssertionError("pixels were decoded")


def test_a_blank_120_megapixel_png_is_refused_before_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ImageFile.ImageFile, "load", _no_decoding)
    blank = photos.bomb_png(12_000, 10_000)
    assert len(blank) < 100_000  # tiny on the wire
    with pytest.raises(FaceError) as refused:
        evidence.check_image(blank, MAX_BYTES)
    assert refused.value.code == "image_too_many_pixels"
    assert refused.value.details == {
        "width": 12_000,
        "height": 10_000,
        "max_pixels": config.settings().evidence_max_pixels,
    }


def test_the_limit_is_the_setting_and_a_photo_within_it_is_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EVIDENCE_MAX_PIXELS", str(640 * 480))
    config.settings.cache_clear()
    assert evidence.check_image(photos.gradient_jpeg(640, 480), MAX_BYTES) == (640, 480)
    with pytest.raises(FaceError) as refused:
        evidence.check_image(photos.gradient_jpeg(641, 480), MAX_BYTES)
    assert refused.value.code == "image_too_many_pixels"
    complete = photos.gradient_jpeg(640, 480)
    with pytest.raises(FaceError) as truncated:
        evidence.check_image(complete[: len(complete) // 2], MAX_BYTES)
    assert truncated.value.code == "image_unreadable"


def test_evidence_and_face_photos_have_their_own_limits() -> None:
    cfg = config.settings()
    assert cfg.evidence_max_pixels == 24_000_000
    assert cfg.face_max_pixels == 16_000_000
