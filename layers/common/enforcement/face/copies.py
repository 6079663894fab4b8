"""Copies of a photograph, as a replay of it would arrive: the same picture in another file.

A replay shows the camera (or uploads) a photograph already used: re-encoded, resized, cropped,
rotated, mirrored, brighter, greyscale, printed and re-photographed, shown on a screen and
re-photographed, or its very pixels in another format. `copies` makes each kind from a photo's
bytes; the replay tests (tests/unit/test_face_liveness.py) and the zone calibration
(`enforcement.face.zone_calibration`) measure the replay zones on them. "printed" and
"on-a-screen" are simulations (paper tone, halftone, tilt and glare; moiré, colour cast, tilt
and glare), not real recaptures.
"""

from __future__ import annotations

import io
from typing import Final

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter, ImageOps

__all__ = ["EXACT_KINDS", "KINDS", "copies", "recaptured_print", "recaptured_screen"]

#: Every kind of copy `copies` makes, in order.
KINDS: Final = (
    "jpeg-q30",
    "resized-0.4",
    "cropped-15%",
    "rotated-8deg",
    "mirrored",
    "brighter",
    "greyscale",
    "printed",
    "on-a-screen",
    "png-same-pixels",
)
#: The kinds that carry the very pixels of the photo (the pixel digest is the same).
EXACT_KINDS: Final = ("png-same-pixels",)


def _save(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _rgb(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        return ImageOps.exif_transpose(image).convert("RGB")


def _jpeg(image: Image.Image, quality: int = 90) -> bytes:
    return _save(image, "JPEG", quality=quality)


def _tilted(image: Image.Image, tilt: float, seed: int) -> Image.Image:
    """The picture seen at a slant: each corner moved inwards by up to `tilt` of the side."""
    rng = np.random.default_rng(seed)
    width, height = image.size

    def inset(side: int) -> float:
        return float(rng.uniform(0, tilt) * side)

    quad = (
        inset(width),
        inset(height),
        inset(width),
        height - inset(height),
        width - inset(width),
        height - inset(height),
        width - inset(width),
        inset(height),
    )
    return image.transform(image.size, Image.Transform.QUAD, quad, Image.Resampling.BICUBIC)


def _pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.float32)


def _image(values: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8), "RGB")


def _glare(values: np.ndarray, strength: float) -> np.ndarray:
    height, width = values.shape[:2]
    yy, xx = np.mgrid[0:height, 0:width]
    spot = np.hypot(xx - 0.7 * width, yy - 0.25 * height) / max(width, height)
    lit: np.ndarray = values + strength * np.exp(-((spot / 0.25) ** 2))[..., None]
    return lit


def _noise(values: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    noisy: np.ndarray = values + np.random.default_rng(seed).normal(0, sigma, values.shape)
    return noisy


def recaptured_print(data: bytes, seed: int = 0) -> bytes:
    """The photo printed and held up to a phone camera, simulated: paper tone (raised blacks,
    lowered whites, warm cast), a halftone screen, slight blur, the print at 3/4 of the frame in
    front of a background, a slanted view, a glare spot, sensor noise, JPEG."""
    image = _rgb(data)
    values = 30 + _pixels(image) / 255 * 190 * np.array([1.06, 1.0, 0.88], np.float32)
    height, width = values.shape[:2]
    yy, xx = np.mgrid[0:height, 0:width]
    values *= (0.88 + 0.12 * np.cos(np.pi * xx / 2) * np.cos(np.pi * yy / 2))[..., None]
    printed = _image(values).filter(ImageFilter.GaussianBlur(1.0))
    scene = _noise(np.zeros_like(values) + (60 + 80 * xx / width)[..., None], 6, seed)
    canvas = _image(scene)
    small = printed.resize((width * 3 // 4, height * 3 // 4), Image.Resampling.LANCZOS)
    canvas.paste(small, ((width - small.width) // 2, (height - small.height) // 3))
    shot = _pixels(_tilted(canvas, 0.06, seed))
    return _jpeg(_image(_noise(_glare(shot, 40), 6, seed)), 85)


def recaptured_screen(data: bytes, seed: int = 0) -> bytes:
    """The photo shown on a screen and photographed, simulated: the pixel grid beating with the
    camera's (moiré), stronger colours, a blue cast, a slanted view, glare, noise, JPEG."""
    image = _rgb(data)
    width, height = image.size
    large = image.resize((width * 6 // 5, height * 6 // 5), Image.Resampling.BICUBIC)
    values = _pixels(large)
    yy, xx = np.mgrid[0 : large.height, 0 : large.width]
    angle = np.radians(7)
    u = xx * np.cos(angle) + yy * np.sin(angle)
    v = -xx * np.sin(angle) + yy * np.cos(angle)
    grid = 0.5 + 0.25 * np.cos(2 * np.pi * u / 3.3) + 0.25 * np.cos(2 * np.pi * v / 3.3)
    values *= (1 - 0.22 * grid)[..., None]
    shown = _image(values).resize((width, height), Image.Resampling.BILINEAR)
    shown = ImageEnhance.Color(shown).enhance(1.25)
    values = 15 + _pixels(shown) / 255 * 225 * np.array([0.92, 1.0, 1.1], np.float32)
    shot = _pixels(_tilted(_image(values), 0.07, seed + 1))
    return _jpeg(_image(_noise(_glare(shot, 60), 5, seed)), 88)


def copies(data: bytes) -> dict[str, bytes]:
    """Every kind of copy (KINDS) of the photo in `data`: each a different file showing the same
    photograph. "png-same-pixels" is its decoded, upright pixels as PNG: the same pixels in
    other bytes, an exact copy by `FaceTemplate.pixel_digest`."""
    image = _rgb(data)
    width, height = image.size
    return {
        "jpeg-q30": _jpeg(image, 30),
        "resized-0.4": _jpeg(image.resize((width * 2 // 5, height * 2 // 5))),
        "cropped-15%": _jpeg(
            image.crop((width * 15 // 100, height // 20, width, height * 85 // 100))
        ),
        "rotated-8deg": _jpeg(image.rotate(8, Image.Resampling.BICUBIC)),
        "mirrored": _jpeg(ImageOps.mirror(image)),
        "brighter": _jpeg(ImageEnhance.Brightness(image).enhance(1.3)),
        "greyscale": _jpeg(image.convert("L").convert("RGB")),
        "printed": recaptured_print(data),
        "on-a-screen": recaptured_screen(data),
        "png-same-pixels": _save(image, "PNG"),
    }
