"""The photo loader: limits before decoding, every format and mode a phone or a PNG tool writes,
EXIF orientation, and nothing but FaceError for bytes that are not a usable photo."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from enforcement.face.engine import EngineConfig, FaceError, image_digest, load_image
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile, features

from tests import photos

CONFIG = EngineConfig()
NATIVE = EngineConfig(max_side=0)


def rgb_reference(name: str, config: EngineConfig = CONFIG) -> npt.NDArray[np.uint8]:
    return load_image(photos.photo_bytes(name), config)


def mean_abs_diff(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]) -> float:
    assert a.shape == b.shape
    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16))))


def error_code(data: bytes, config: EngineConfig = CONFIG) -> str:
    with pytest.raises(FaceError) as caught:
        load_image(data, config)
    code: str = caught.value.code
    return code


# ------------------------------------------------------------------ what loads, and how


def test_jpeg_is_rgb_uint8_reduced_to_max_side() -> None:
    with Image.open(photos.photo("obama.jpg")) as original:
        width, height = original.size
    image = rgb_reference("obama.jpg")
    assert image.dtype == np.uint8
    assert image.ndim == 3
    assert image.shape[2] == 3
    assert max(image.shape[:2]) == CONFIG.max_side
    # aspect ratio kept to within a pixel
    assert abs(image.shape[1] - width * CONFIG.max_side / height) <= 1


def test_max_side_zero_keeps_native_size_and_small_photos_are_not_enlarged() -> None:
    with Image.open(photos.photo("obama.jpg")) as original:
        assert rgb_reference("obama.jpg", NATIVE).shape == (original.height, original.width, 3)
    with Image.open(photos.photo("Tom_Hanks_54745.png")) as small:
        assert rgb_reference("Tom_Hanks_54745.png").shape == (small.height, small.width, 3)


def test_reduced_jpeg_looks_like_the_reduced_full_decode() -> None:
    """JPEG is decoded at a reduced DCT scale; the picture must still be the same picture."""
    full = rgb_reference("obama.jpg", NATIVE)
    height, width = rgb_reference("obama.jpg").shape[:2]
    expected = np.asarray(Image.fromarray(full).resize((width, height), Image.Resampling.LANCZOS))
    assert mean_abs_diff(rgb_reference("obama.jpg"), expected) < 3.0


@pytest.mark.parametrize(
    ("variant", "mode"),
    [
        (photos.palette_png, "P"),
        (photos.png_16bit_gray, "I;16"),
        (photos.png_16bit_rgb, "RGB"),
        (photos.grayscale_jpeg, "L"),
    ],
    ids=["palette-png", "16bit-grey-png", "48bit-rgb-png", "greyscale-jpeg"],
)
def test_png_and_jpeg_modes_load_as_the_same_picture(
    variant: Callable[[str], bytes], mode: str
) -> None:
    data = variant("obama.jpg")
    with Image.open(io.BytesIO(data)) as opened:
        assert opened.mode.startswith(mode)  # the variant really is that kind of file
    image = load_image(data, CONFIG)
    reference = rgb_reference("obama.jpg")
    if mode in ("I;16", "L"):  # compare brightness with the greyscale of the colour photo
        grey = np.asarray(Image.fromarray(reference).convert("L").convert("RGB"))
        assert mean_abs_diff(image, grey) < 3.0
    else:
        assert mean_abs_diff(image, reference) < 6.0


def test_16bit_grey_is_scaled_not_clipped() -> None:
    """Pillow's own convert() saturates 16-bit values, which would hand the detector a white
    sheet; the loader keeps the picture."""
    data = photos.png_16bit_gray()
    with Image.open(io.BytesIO(data)) as opened:
        naive = np.asarray(opened.convert("RGB"))
    assert naive.mean() > 250
    assert 40 < load_image(data, CONFIG).mean() < 200


def test_32bit_rgba_png_loads_like_the_jpeg_of_the_same_photo() -> None:
    with Image.open(photos.photo("32bit.png")) as opened:
        assert opened.mode == "RGBA"
    assert mean_abs_diff(rgb_reference("32bit.png"), rgb_reference("obama2.jpg")) < 6.0


def test_transparent_pixels_become_white() -> None:
    rgba = np.zeros((20, 30, 4), np.uint8)
    rgba[:, :15] = (200, 10, 10, 255)  # left half opaque red, right half fully transparent black
    out = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(out, "PNG")
    image = load_image(out.getvalue(), CONFIG)
    assert tuple(image[10, 5]) == (200, 10, 10)
    assert tuple(image[10, 25]) == (255, 255, 255)


@pytest.mark.skipif(not features.check("webp"), reason="this Pillow has no WebP support")
def test_webp_loads() -> None:
    assert mean_abs_diff(load_image(photos.webp(), CONFIG), rgb_reference("obama.jpg")) < 6.0


# The pixels stored for each EXIF orientation, made from an upright picture (EXIF 2.3: the tag
# says how the stored rows and columns map onto the upright view).
STORED_FROM_UPRIGHT = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,  # stored turned counter-clockwise; shown turned clockwise
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


@pytest.mark.parametrize("orientation", sorted(STORED_FROM_UPRIGHT))
def test_every_exif_orientation_is_undone_exactly(orientation: int) -> None:
    upright = photos.open_rgb("obama.jpg").crop((250, 80, 650, 380))  # not square
    method = STORED_FROM_UPRIGHT[orientation]
    stored = upright if method is None else upright.transpose(method)
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    stored.save(out, "PNG", exif=exif.tobytes())  # lossless, so the pixels must be identical
    assert np.array_equal(load_image(out.getvalue(), NATIVE), np.asarray(upright))


def test_exif_rotated_phone_photo_is_shown_upright() -> None:
    data = photos.exif_rotated("obama.jpg")
    with Image.open(io.BytesIO(data)) as opened:
        assert opened.width > opened.height  # stored on its side
    image = load_image(data, CONFIG)
    assert mean_abs_diff(image, rgb_reference("obama.jpg")) < 3.0


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_malformed_exif_counts_as_upright() -> None:
    out = io.BytesIO()
    photos.open_rgb("Tom_Hanks_54745.png").save(out, "JPEG", exif=b"Exif\x00\x00II*\x00garbage")
    assert load_image(out.getvalue(), CONFIG).shape == (112, 112, 3)


# ------------------------------------------------------------------ what is refused, and as what


def test_empty_bytes() -> None:
    assert error_code(b"") == "image_empty"


def test_too_many_bytes_is_refused_before_anything_else() -> None:
    data = photos.photo_bytes("obama.jpg")
    limited = EngineConfig(max_bytes=len(data) - 1)
    with pytest.raises(FaceError) as caught:
        load_image(data, limited)
    assert caught.value.code == "image_too_large"
    assert caught.value.details == {"bytes": len(data), "max_bytes": len(data) - 1}
    assert load_image(data, EngineConfig(max_bytes=len(data))).size > 0


def test_too_many_pixels_is_refused_from_the_header_without_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_decoding(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with Image.open(photos.photo("obama.jpg")) as original:
        pixels = original.width * original.height
    assert error_code(photos.photo_bytes("obama.jpg"), EngineConfig(max_pixels=pixels - 1)) == (
        "image_too_many_pixels"
    )


@pytest.mark.parametrize(
    ("width", "height"),
    [(10_000, 8_000), (30_000, 30_000)],
    ids=["80MP-under-pillow-guard", "900MP-over-pillow-guard"],
)
def test_decompression_bomb_is_refused_without_decoding(
    width: int, height: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = photos.bomb_png(width, height)
    assert len(data) < 2 * 1024 * 1024  # small file, huge picture

    def no_decoding(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    # refused from the header: not one pixel decoded (how fast that is: `make bench`)
    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    assert error_code(data) == "image_too_many_pixels"


def test_truncated_jpeg_is_unreadable() -> None:
    assert error_code(photos.truncated_jpeg("obama.jpg")) == "image_unreadable"


def test_truncated_png_is_unreadable() -> None:
    data = photos.photo_bytes("astronaut.png")
    assert error_code(data[: len(data) // 2]) == "image_unreadable"


def test_random_bytes_and_text_are_unreadable() -> None:
    assert error_code(photos.garbage()) == "image_unreadable"
    assert error_code(b"<html><body>not a photo</body></html>") == "image_unreadable"


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "ICO"])
def test_other_image_formats_are_unreadable(fmt: str) -> None:
    out = io.BytesIO()
    photos.open_rgb("Tom_Hanks_54745.png").save(out, fmt)
    assert error_code(out.getvalue()) == "image_unreadable"


def test_decoding_refuses_when_truncated_images_are_allowed_globally(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        load_image(photos.photo_bytes("obama.jpg"), CONFIG)


def test_image_digest_is_sha256_of_the_bytes() -> None:
    data = photos.photo_bytes("obama.jpg")
    assert image_digest(data) == hashlib.sha256(data).hexdigest()
    assert image_digest(data) != image_digest(data + b"\x00")


# ------------------------------------------------------------------ property: only FaceError


def _small_images() -> list[bytes]:
    face = photos.open_rgb("Tom_Hanks_54745.png").resize((48, 48))
    made = []
    for fmt, mode in [
        ("JPEG", "RGB"),
        ("PNG", "RGB"),
        ("PNG", "P"),
        ("PNG", "LA"),
        ("WEBP", "RGB"),
    ]:
        if fmt == "WEBP" and not features.check("webp"):
            continue
        out = io.BytesIO()
        face.convert(mode).save(out, fmt)
        made.append(out.getvalue())
    return made


SMALL_IMAGES = _small_images()


@st.composite
def damaged_images(draw: st.DrawFn) -> bytes:
    """A valid small image with some bytes overwritten and possibly cut short: reaches the
    decoders' inner paths, which random bytes rarely do."""
    data = bytearray(draw(st.sampled_from(SMALL_IMAGES)))
    for _ in range(draw(st.integers(0, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data[: draw(st.integers(1, len(data)))])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=2048), damaged_images()))
def test_arbitrary_bytes_load_or_raise_face_error(data: bytes) -> None:
    try:
        outcome: object = load_image(data, CONFIG)
    except FaceError as exc:
        outcome = exc.code
    if isinstance(outcome, np.ndarray):
        event("loaded")
        assert outcome.dtype == np.uint8
        assert outcome.ndim == 3
        assert outcome.shape[2] == 3
        assert max(outcome.shape[:2]) <= CONFIG.max_side
    else:
        event(str(outcome))
        assert outcome in {"image_empty", "image_unreadable", "image_too_many_pixels"}


# ------------------------------------------------------------------ property: sizes and turns


@st.composite
def photos_with_limits(draw: st.DrawFn) -> tuple[bytes, int, int, int, int]:
    """A small valid photo (any format the loader reads, any EXIF orientation) and a max_side:
    returns the bytes, the stored width and height, the orientation and max_side."""
    width = draw(st.integers(8, 240))
    height = draw(st.integers(8, 240))
    fmt = draw(st.sampled_from(["JPEG", "PNG", "WEBP"] if features.check("webp") else ["JPEG"]))
    orientation = draw(st.integers(1, 8))
    max_side = draw(st.sampled_from([0, 16, 50, 100, 239, 800]))
    seed = draw(st.integers(0, 2**16))
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, fmt, exif=exif.tobytes())
    return out.getvalue(), width, height, orientation, max_side


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(photos_with_limits())
def test_loaded_size_follows_max_side_aspect_and_orientation(
    case: tuple[bytes, int, int, int, int],
) -> None:
    data, width, height, orientation, max_side = case
    config = EngineConfig(max_side=max_side)
    image = load_image(data, config)
    if orientation >= 5:  # turned a quarter: the upright picture is height x width
        width, height = height, width
    longest = max(width, height)
    expected = longest if max_side <= 0 else min(longest, max_side)
    assert max(image.shape[:2]) == expected
    # the aspect ratio is kept to within a pixel of rounding
    assert abs(image.shape[1] * height - image.shape[0] * width) <= max(width, height)
    assert image.flags["C_CONTIGUOUS"]
    from enforcement.face import images

    decoded = images.read(
        data, max_bytes=config.max_bytes, max_pixels=config.max_pixels, max_side=max_side
    )
    assert np.array_equal(images.downscale(decoded), image)
