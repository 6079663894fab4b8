"""Test photographs: the real ones fetched from registry packages, and variants made from them.

`photo(name)` / `photo_bytes(name)` return a file from .cache/photos/ (see
scripts/fetch_photos.py). The variants are generated here, in memory, so each test states
exactly what it feeds the engine: EXIF-rotated, 16-bit, palette, greyscale, truncated, a
decompression bomb, random bytes, a photo without a face and one with two people.
"""

from __future__ import annotations

import io
import itertools
import random
import secrets
import struct
import zlib
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
PHOTOS_DIR = ROOT / ".cache" / "photos"

#: Same person, different photographs.
OBAMA = ("obama.jpg", "obama2.jpg", "obama3.jpg")
#: Crops and copies of the Obama photographs above (same pixels, altered).
OBAMA_ALTERED = ("obama_partial_face.jpg", "obama_partial_face2.jpg", "32bit.png")
#: One face each, none of them Obama.
OTHERS = ("biden.jpg", "Tom_Hanks_54745.png", "astronaut.png")
#: Six people in one photograph.
GROUP = "t1.jpg"
ALL = (*OBAMA, *OBAMA_ALTERED, *OTHERS, GROUP)

#: EXIF Orientation value meaning "rotate 90° clockwise to show upright".
ROTATE_CW_TO_VIEW = 6


class MissingPhotoError(FileNotFoundError):
    """A test photograph is not on disk."""


def photo(name: str) -> Path:
    """Path of a fetched photograph; fails with the command to run when it is missing."""
    path = PHOTOS_DIR / name
    if not path.is_file():
        raise MissingPhotoError(
            f"test photo {name} is missing from {PHOTOS_DIR}: run scripts/fetch_photos.py "
            "(or make photos)"
        )
    return path


@cache
def photo_bytes(name: str) -> bytes:
    """The raw bytes of a fetched photograph."""
    return photo(name).read_bytes()


def open_rgb(name: str) -> Image.Image:
    """A fetched photograph decoded as RGB (no EXIF handling: these files have none)."""
    with Image.open(photo(name)) as image:
        return image.convert("RGB")


def _save(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


@cache
def exif_rotated(name: str = "obama.jpg") -> bytes:
    """The photo's pixels turned 90° counter-clockwise, with EXIF Orientation 6 saying "turn
    90° clockwise to view": a loader that honours EXIF shows it upright, one that ignores EXIF
    sees a face lying on its side."""
    image = open_rgb(name).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = ROTATE_CW_TO_VIEW
    return _save(image, "JPEG", quality=95, exif=exif.tobytes())


@cache
def png_16bit_gray(name: str = "obama.jpg") -> bytes:
    """16-bit greyscale PNG (Pillow mode I;16) spanning the full 0-65535 range."""
    grey = np.asarray(open_rgb(name).convert("L"), dtype=np.uint16) * 257
    return _save(Image.fromarray(grey), "PNG")


@cache
def png_16bit_rgb(name: str = "obama.jpg") -> bytes:
    """48-bit RGB PNG (16 bits per channel), written chunk by chunk: Pillow cannot write one."""
    rgb = np.asarray(open_rgb(name), dtype=np.uint16) * 257
    height, width, _ = rgb.shape
    rows = rgb.astype(">u2").reshape(height, width * 3).view(np.uint8).reshape(height, -1)
    raw = np.hstack([np.zeros((height, 1), np.uint8), rows]).tobytes()  # filter type 0 per row
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    return _png([(b"IHDR", header), (b"IDAT", zlib.compress(raw, 6)), (b"IEND", b"")])


@cache
def palette_png(name: str = "obama.jpg") -> bytes:
    """256-colour palette PNG (mode P)."""
    image = open_rgb(name).convert("P", palette=Image.Palette.ADAPTIVE, colors=256)
    return _save(image, "PNG")


@cache
def grayscale_jpeg(name: str = "obama.jpg") -> bytes:
    """Single-channel JPEG (mode L)."""
    return _save(open_rgb(name).convert("L"), "JPEG", quality=92)


@cache
def webp(name: str = "obama.jpg") -> bytes:
    """Lossy WebP of the photo."""
    return _save(open_rgb(name), "WEBP", quality=90)


@cache
def truncated_jpeg(name: str = "obama.jpg", keep: float = 0.6) -> bytes:
    """The first `keep` fraction of a JPEG file, as an interrupted upload leaves it."""
    data = photo_bytes(name)
    return data[: int(len(data) * keep)]


@cache
def bomb_png(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of widthxheight black pixels: a few hundred kB that would decode to
    hundreds of MB (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = bytes(1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    chunks = [compressor.compress(row) for _ in range(height)]
    idat = b"".join(chunks) + compressor.flush()
    return _png([(b"IHDR", header), (b"IDAT", idat), (b"IEND", b"")])


def _png(chunks: list[tuple[bytes, bytes]]) -> bytes:
    out = [b"\x89PNG\r\n\x1a\n"]
    for kind, body in chunks:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        out.append(struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc))
    return b"".join(out)


@cache
def garbage(size: int = 4096, seed: int = 0) -> bytes:
    """Reproducible random bytes."""
    return random.Random(seed).randbytes(size)


@cache
def gradient_jpeg(width: int = 640, height: int = 480) -> bytes:
    """A smooth colour gradient: an image with no face at all."""
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    rgb = np.stack(
        [np.broadcast_to(x, (height, width)), np.broadcast_to(y, (height, width)), (x + y) / 2],
        axis=-1,
    )
    return _save(Image.fromarray(rgb.astype(np.uint8), "RGB"), "JPEG", quality=90)


@cache
def crop(name: str, box: tuple[int, int, int, int]) -> bytes:
    """A region (left, top, right, bottom) of a photograph, as JPEG."""
    return _save(open_rgb(name).crop(box), "JPEG", quality=95)


@cache
def background() -> bytes:
    """A real photograph without a face: the left third of obama.jpg (flag and curtain)."""
    image = open_rgb("obama.jpg")
    return crop("obama.jpg", (0, 0, image.width // 3, image.height))


@cache
def side_by_side(names: tuple[str, ...] = ("obama.jpg", "biden.jpg"), height: int = 800) -> bytes:
    """Several photographs scaled to one height and pasted next to each other."""
    images = []
    for name in names:
        image = open_rgb(name)
        images.append(image.resize((round(image.width * height / image.height), height)))
    canvas = Image.new("RGB", (sum(i.width for i in images), height), "white")
    left = 0
    for image in images:
        canvas.paste(image, (left, 0))
        left += image.width
    return _save(canvas, "JPEG", quality=92)


@cache
def scaled(name: str, factor: float) -> bytes:
    """The photograph resized by `factor`, as JPEG."""
    image = open_rgb(name)
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return _save(image.resize(size, Image.Resampling.LANCZOS), "JPEG", quality=95)


# ------------------------------------------------------------------ copies: what a replay sends


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
    return values + strength * np.exp(-((spot / 0.25) ** 2))[..., None]


def _noise(values: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    return values + np.random.default_rng(seed).normal(0, sigma, values.shape)


def recaptured_print(data: bytes, seed: int = 0) -> bytes:
    """The photo printed and held up to a phone camera, simulated: paper tone (raised blacks,
    lowered whites, warm cast), a halftone screen, slight blur, the print at 3/4 of the frame in
    front of a background, a slanted view, a glare spot, sensor noise, JPEG."""
    from PIL import ImageFilter

    image = Image.open(io.BytesIO(data)).convert("RGB")
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
    from PIL import ImageEnhance

    image = Image.open(io.BytesIO(data)).convert("RGB")
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


def copies(name: str) -> dict[str, bytes]:
    """Altered copies of a fetched photograph, as a replay of it would arrive: re-encoded,
    resized, cropped, rotated, mirrored, brighter, greyscale, printed and re-photographed, shown
    on a screen and re-photographed. Each is a different file showing the same photograph."""
    from PIL import ImageEnhance, ImageOps

    data = photo_bytes(name)
    image = open_rgb(name)
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
    }


_SHOTS = itertools.count(1)


def live(name: str) -> bytes:
    """A new shot of the same person: the photo re-encoded with a slight turn, so its bytes are
    new (every live photo is: a photo whose bytes were used by any earlier check is refused),
    while the face is the same."""
    n = next(_SHOTS)  # consecutive shots differ in turn or quality, so in pixels too
    image = Image.open(io.BytesIO(photo_bytes(name))).convert("RGB")
    out = io.BytesIO()
    shot = secrets.token_hex(8).encode()  # unique bytes whatever the turn and quality
    image.rotate((n % 7) - 3 or 1).save(out, "JPEG", quality=90 - n % 5, comment=shot)
    return out.getvalue()
