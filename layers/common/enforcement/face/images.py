"""Safe decoding of uploaded photos into the RGB arrays the face detector needs.

Uploads are untrusted bytes. Every limit is checked before pixels are decoded (Pillow's
`Image.open` only reads the header, so the declared size is known before any allocation), only
the formats a phone produces are parsed (JPEG, PNG, WebP), and every failure of the decoder,
whatever exception Pillow happens to raise, becomes one `FaceError` with a stable code.

The result is already reduced to the detector's working size: JPEG is decoded at 1/2, 1/4 or
1/8 scale when that still leaves enough pixels (libjpeg's DCT scaling), which makes a 12 MP
phone photo about as cheap to read as a thumbnail.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFile

#: Formats the loader parses; any other format is `image_unreadable`. Pillow opens a multi-picture
#: JPEG (MPO, written by some phone cameras) through the JPEG plugin, so it is accepted as well.
FORMATS: Final = ("JPEG", "PNG", "WEBP")

#: EXIF Orientation → the transpose that shows the picture upright (EXIF 2.3, tag 0x0112).
_ORIENTATION_TAG: Final = 0x0112
_UPRIGHT: Final = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

RGBImage = npt.NDArray[np.uint8]


class FaceError(Exception):
    """A photo the face engine cannot turn into a template, with a stable machine-readable code.

    Codes: image_empty, image_too_large, image_too_many_pixels, image_unreadable, no_face,
    multiple_faces (details {"faces": n}), face_too_small. `message` is for people; `details`
    never carries image content or face data.
    """

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details


def decode(data: bytes, *, max_bytes: int, max_pixels: int, max_side: int) -> RGBImage:
    """Decode `data` to an upright RGB uint8 array (HxWx3) whose longer side is ≤ `max_side`.

    `max_side` ≤ 0 keeps the native resolution. Limits come first: `image_empty`,
    `image_too_large` (bytes), then `image_too_many_pixels` from the header alone; anything that is
    not a complete JPEG/PNG/WebP is `image_unreadable`. The two steps, `read` and `downscale`,
    are also callable on their own (the benchmarks time them apart).
    """
    return downscale(read(data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side))


@dataclass(frozen=True)
class Decoded:
    """A decoded photo before the last reduction: RGB pixels (JPEG already at a reduced DCT scale
    when that still leaves at least the target size), the size to reduce to, the EXIF
    transpose that shows it upright (None: already upright), and, when asked for, the
    `pixel_digest` of the full-size upright pixels."""

    image: Image.Image
    target: tuple[int, int]
    transpose: Image.Transpose | None
    pixel_digest: str | None = None


def read(
    data: bytes, *, max_bytes: int, max_pixels: int, max_side: int, digest: bool = False
) -> Decoded:
    """Check the limits and decode the pixels (the first half of `decode`); with `digest`, the
    `pixel_digest` of the photo too."""
    if not data:
        raise FaceError("image_empty", "the photo is empty")
    if len(data) > max_bytes:
        raise FaceError(
            "image_too_large",
            f"the photo has {len(data)} bytes, more than the {max_bytes} allowed",
            {"bytes": len(data), "max_bytes": max_bytes},
        )
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Some libraries (face_recognition among them) switch this on globally; a truncated
        # upload would then be padded with grey and accepted. That is a deployment fault.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is on; refusing to decode photos")
    try:
        return _read(data, max_pixels=max_pixels, max_side=max_side, digest=digest)
    except FaceError:
        raise
    except MemoryError:
        raise
    except Image.DecompressionBombError as exc:
        raise FaceError("image_too_many_pixels", "the photo declares too many pixels") from exc
    except Exception as exc:  # Pillow raises OSError, ValueError, SyntaxError, struct.error, ...
        raise FaceError(
            "image_unreadable", "the photo is not a readable JPEG, PNG or WebP"
        ) from exc


def pixel_digest(image: Image.Image, transpose: Image.Transpose | None = None) -> str:
    """SHA-256 (hex) of a decoded photo's upright RGB pixels at full size, with its width and
    height: the same for every file that carries the same picture, whatever its format, its
    encoder or its metadata (a PNG of a JPEG's decoded pixels, a JPEG with its EXIF stripped and
    its pixels turned upright). One changed pixel changes it."""
    rgb = _to_rgb(image)
    if transpose is not None:
        rgb = rgb.transpose(transpose)
    digest = hashlib.sha256(f"rgb {rgb.width}x{rgb.height}\n".encode())
    digest.update(rgb.tobytes())
    return digest.hexdigest()


def _read(data: bytes, *, max_pixels: int, max_side: int, digest: bool = False) -> Decoded:
    # no `with`: closing would drop the decoded pixels, and an in-memory file holds nothing else
    image = Image.open(io.BytesIO(data), formats=FORMATS)
    width, height = image.size
    if width <= 0 or height <= 0:
        raise FaceError("image_unreadable", "the photo has no pixels")
    if width * height > max_pixels:
        raise FaceError(
            "image_too_many_pixels",
            f"the photo has {width}x{height} pixels, more than the {max_pixels} allowed",
            {"width": width, "height": height, "max_pixels": max_pixels},
        )
    orientation = _orientation(image)
    transpose = _UPRIGHT.get(orientation)
    target = _target_size(image.size, max_side)
    found: str | None = None
    if target != image.size:
        image.draft("RGB", target)  # JPEG only: decode at a reduced scale ≥ target
        if digest and image.size != (width, height):
            # the digest needs every pixel, the face only the reduced scale: decode both
            full = Image.open(io.BytesIO(data), formats=FORMATS)
            full.load()
            found = pixel_digest(full, transpose)
    image.load()
    rgb = _to_rgb(image)
    if digest and found is None:
        found = pixel_digest(rgb, transpose)
    return Decoded(rgb, target, transpose, found)


def downscale(decoded: Decoded) -> RGBImage:
    """Reduce to the target size, turn upright, and return the array (the second half of
    `decode`)."""
    rgb = decoded.image
    if decoded.target != rgb.size:
        rgb = rgb.resize(decoded.target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if decoded.transpose is not None:
        rgb = rgb.transpose(decoded.transpose)
    array = np.asarray(rgb, dtype=np.uint8)
    if array.ndim != 3 or array.shape[2] != 3:
        raise FaceError("image_unreadable", "the photo did not decode to RGB")
    return np.ascontiguousarray(array)


def _orientation(image: Image.Image) -> int:
    """EXIF Orientation (1-8); a missing or malformed EXIF block counts as upright."""
    try:
        value = image.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # malformed EXIF must not make an otherwise good photo unreadable
        return 1
    return value if isinstance(value, int) and value in _UPRIGHT else 1


def _target_size(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    width, height = size
    longest = max(width, height)
    if max_side <= 0 or longest <= max_side:
        return size
    scale = max_side / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def _to_rgb(image: Image.Image) -> Image.Image:
    """Any decoded mode → 8-bit RGB; transparency is composited over white.

    16-bit and 32-bit integer greyscale (PNG) are scaled down, not clipped: Pillow's own
    `convert` saturates every value above 255, which turns a 16-bit photo white.
    """
    mode = image.mode
    if mode == "RGB":
        return image
    if mode.startswith("I") or mode == "F":
        values = np.asarray(image)
        if mode.startswith("I;16") or mode == "I":
            scaled = np.clip(values.astype(np.int64), 0, 65535) >> 8
        else:
            scaled = np.clip(values, 0, 255)
        return Image.fromarray(scaled.astype(np.uint8), "L").convert("RGB")
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if has_alpha:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")
