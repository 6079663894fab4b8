"""`FaceTemplate.pixel_digest`: the same picture in another file is an exact copy."""

from __future__ import annotations

import io
import pickle

import pytest
from enforcement.face import engine
from enforcement.face.engine import EngineConfig, FaceTemplate, image_digest
from PIL import Image, ImageOps

from tests import photos

CONFIG = EngineConfig()


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _decoded(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image)
        return upright.convert("RGB")


@pytest.mark.parametrize("name", ["obama3.jpg", "biden.jpg"])
def test_a_png_of_a_jpegs_pixels_has_the_same_pixel_digest(name: str) -> None:
    # obama3.jpg (1434x2333) is decoded at a reduced DCT scale for the face: the digest is
    # still taken over every pixel, as the PNG's is
    original = photos.photo_bytes(name)
    copy = _png(_decoded(original))
    assert image_digest(copy) != image_digest(original)
    first, second = engine.encode(original, CONFIG), engine.encode(copy, CONFIG)
    assert first.pixel_digest is not None
    assert first.pixel_digest == second.pixel_digest


def test_the_digest_is_of_the_upright_pixels() -> None:
    turned = photos.exif_rotated("obama.jpg")  # pixels on their side, EXIF says turn them
    upright_png = _png(_decoded(turned))
    assert (
        engine.encode(turned, CONFIG).pixel_digest
        == engine.encode(upright_png, CONFIG).pixel_digest
    )


def test_other_pixels_have_another_digest() -> None:
    original = photos.photo_bytes("obama.jpg")
    image = _decoded(original)
    reencoded = photos.copies("obama.jpg")["jpeg-q30"]
    one_pixel = image.copy()
    r, g, b = one_pixel.getpixel((5, 5))  # type: ignore[misc]
    one_pixel.putpixel((5, 5), (r ^ 1, g, b))
    digest = engine.encode(original, CONFIG).pixel_digest
    assert engine.encode(reencoded, CONFIG).pixel_digest != digest
    assert engine.encode(_png(one_pixel), CONFIG).pixel_digest != digest


def test_the_digest_is_kept_by_pickling_and_left_out_of_equality() -> None:
    template = engine.encode(photos.photo_bytes("biden.jpg"), CONFIG)
    restored = pickle.loads(pickle.dumps(template))  # noqa: S301 - our own object
    assert restored.pixel_digest == template.pixel_digest
    assert restored.signature == template.signature
    assert FaceTemplate(template.vector) == template  # no digest, same template
