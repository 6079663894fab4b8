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


def identities() -> dict[str, list[Path]]:
    """The whole set by person: identity → its photos, from .cache/photos/identities/ (laid
    out by scripts/fetch_photos.py: dlib's johns/ and collage, Obama, and four single photos).
    Its same-photographs.txt names the versions of one photograph."""
    from enforcement.face.calibrate import photos_in

    folder = identities_folder()
    return photos_in(folder)


def identities_folder() -> Path:
    """.cache/photos/identities/, or MissingPhotoError with the command to run."""
    folder = PHOTOS_DIR / "identities"
    if not folder.is_dir():
        raise MissingPhotoError(
            f"{folder} is missing: run scripts/fetch_photos.py (or make photos)"
        )
    return folder


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
def distant(name: str = "obama.jpg", factor: float = 0.2) -> bytes:
    """The photograph reduced by `factor` in the middle of a plain 800x1000 scene: a person far
    from the camera (obama.jpg at 0.2: a face ~43 px tall at the engine's 800 px)."""
    image = open_rgb(name)
    small = image.resize((round(image.width * factor), round(image.height * factor)))
    canvas = Image.new("RGB", (800, 1000), (120, 130, 140))
    canvas.paste(small, ((800 - small.width) // 2, (1000 - small.height) // 2))
    return _save(canvas, "JPEG", quality=92)


@cache
def scaled(name: str, factor: float) -> bytes:
    """The photograph resized by `factor`, as JPEG."""
    image = open_rgb(name)
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return _save(image.resize(size, Image.Resampling.LANCZOS), "JPEG", quality=95)


# ------------------------------------------------------------------ copies: what a replay sends


def copies(name: str) -> dict[str, bytes]:
    """Altered copies of a fetched photograph, as a replay of it would arrive: re-encoded,
    resized, cropped, rotated, mirrored, brighter, greyscale, printed and re-photographed, shown
    on a screen and re-photographed (`enforcement.face.copies`, without its exact copy, the
    same pixels as PNG). Each is a different file showing the same photograph."""
    from enforcement.face.copies import EXACT_KINDS
    from enforcement.face.copies import copies as make

    return {k: v for k, v in make(photo_bytes(name)).items() if k not in EXACT_KINDS}


_SHOTS = itertools.count(1)


def live(name: str) -> bytes:
    """A new shot of the same person: the photo re-encoded with a slight turn, so its bytes and
    its decoded pixels are new (every live photo's are: a photo whose bytes or pixels were used
    by any earlier check is an exact copy, refused), while the face is the same."""
    n = next(_SHOTS)  # consecutive shots differ in turn or quality
    image = Image.open(io.BytesIO(photo_bytes(name))).convert("RGB")
    out = io.BytesIO()
    shot = secrets.token_hex(8).encode()  # unique bytes whatever the turn and quality
    # a random hundredth of a degree more: unique pixels too, within a process and across the
    # processes of one test run (35 turn-and-quality pairs alone repeat after 35 shots)
    turn = ((n % 7) - 3 or 1) + secrets.randbelow(10_000) / 100_000
    image.rotate(turn, resample=Image.Resampling.BILINEAR).save(
        out, "JPEG", quality=90 - n % 5, comment=shot
    )
    return out.getvalue()
