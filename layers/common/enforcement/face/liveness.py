"""Replay detection: is a check photo (nearly) the same photograph as one already used?

A live check photo is new: it was taken just now. The fraud this system exists to stop is an
absent crew member's photo shown to the camera instead: the official reference photo printed
or on a screen, or a photo already sent for an earlier check, re-sent as a re-encoded, resized,
cropped or rotated copy. The SHA-256 of the upload only catches the very same bytes; this module
catches the same *photograph*.

Two measurements:

- the template distance (`engine.compare`): copies of one photo are close (0.03-0.33 on the
  test photographs' copies), but so are new photos of one person taken in the same pose and
  light (from 0.19 on the johns/ face crops of dlib's examples);
- the signature similarity: every encoded photo carries a `PhotoSignature`, its face region as
  the descriptor sees it (aligned on the eyes and nose by dlib's 5 landmarks, so rotation,
  scale and crop are undone) reduced to 16x16 grey levels. `similarity` is the correlation of
  the fine structure of two signatures (high-passed, so brightness, contrast, glare and colour
  casts of a print or a screen count little), mirror image included. Copies score 0.50-1.00
  (most above 0.95; prints and screens lowest), but new photos of one person reach 0.95 too.

Neither separates copies from new photos on its own: the ranges overlap once the photos are
not the three the rule was first tuned on. So neither decides alone: the one replay rule is
`zones.ReplayZones`, which refuses automatically only where both agree by a wide margin (or the
pixels are the same, `FaceTemplate.pixel_digest`), and sends the photo to an officer where
either looks like a copy; the lines are fitted on some people's photos and checked on others'
(docs/benchmarks.md, "Face decisions"). This module measures; the zones judge: the deployment's
zones come from `enforcement.face.configured.replay_zones`, and `PhotoHistory.likeness` puts
each earlier photo in them (`enforcement.face.replays` stores the history).

A signature is a tiny picture of a face: biometric data like the template, stored only beside
templates and never shown or logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, ClassVar, Final

import numpy as np
import numpy.typing as npt
from PIL import Image

from enforcement.face.zones import ReplayZones, Zone

if TYPE_CHECKING:
    from enforcement.face.engine import FaceTemplate

__all__ = [
    "SIGNATURE_PADDING",
    "SIGNATURE_SIDE",
    "PhotoHistory",
    "PhotoSignature",
    "Replay",
    "signature_similarity",
    "similarity",
]

#: Side of a signature in pixels (16x16 grey levels, 256 bytes).
SIGNATURE_SIDE: Final = 16
#: The aligned face chip the signature is cut from: dlib's `get_face_chip` padding (0.4 takes in
#: the hairline and jaw, which a new photo changes more than a copy does) and its side in pixels
#: before the reduction to SIGNATURE_SIDE.
SIGNATURE_PADDING: Final = 0.4
CHIP_SIDE: Final = 64
#: Stored value of a signature pixel that fell outside the photo (a face cut by the frame).
OUTSIDE: Final = 0
#: Similarity is only computed where at least this share of the pixels lies inside both photos.
MIN_OVERLAP: Final = 0.25
#: Scale of the high-pass filter: the blur removed from each signature, in signature pixels.
HIGH_PASS_SIGMA: Final = SIGNATURE_SIDE / 8
#: Least standard deviation of the high-passed grey levels for a similarity to mean anything (a
#: face shows 10-30; a flat or blank region under 1).
MIN_DETAIL: Final = 1.0

_SIGNATURE_BYTES: Final = SIGNATURE_SIDE * SIGNATURE_SIDE
_TEMPLATE_BYTES: Final = 128 * 4

Pixels = npt.NDArray[np.uint8]


@dataclass(frozen=True, eq=False, repr=False)
class PhotoSignature:
    """A photo's aligned face region as 16x16 grey levels (1-255; 0 where outside the photo).

    Biometric data: repr/str never show the values. `to_bytes` gives the 256 stored bytes.
    """

    pixels: Pixels

    def __post_init__(self) -> None:
        pixels = np.array(self.pixels, dtype=np.uint8)
        if pixels.shape != (SIGNATURE_SIDE, SIGNATURE_SIDE):
            raise ValueError(f"a photo signature is {SIGNATURE_SIDE}x{SIGNATURE_SIDE} pixels")
        pixels.flags.writeable = False
        object.__setattr__(self, "pixels", pixels)

    @classmethod
    def from_chip(
        cls, chip: npt.NDArray[np.uint8], inside: npt.NDArray[np.uint8]
    ) -> PhotoSignature:
        """From an aligned face chip (HxWx3 RGB) and the same chip cut from an all-255 image
        (HxW: 255 where the chip lies inside the photo, 0 where it lies past its edge)."""
        grey = Image.fromarray(np.ascontiguousarray(chip), "RGB").convert("L")
        size = (SIGNATURE_SIDE, SIGNATURE_SIDE)
        small = np.asarray(grey.resize(size, Image.Resampling.BOX), dtype=np.uint8)
        mask = Image.fromarray(np.ascontiguousarray(inside), "L")
        valid = np.asarray(mask.resize(size, Image.Resampling.BOX)) >= 250
        return cls(np.where(valid, np.maximum(small, 1), OUTSIDE).astype(np.uint8))

    def to_bytes(self) -> bytes:
        return self.pixels.tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> PhotoSignature:
        if len(data) != _SIGNATURE_BYTES:
            raise ValueError(f"a stored photo signature has {_SIGNATURE_BYTES} bytes")
        return cls(np.frombuffer(data, dtype=np.uint8).reshape(SIGNATURE_SIDE, SIGNATURE_SIDE))

    def __repr__(self) -> str:
        return "PhotoSignature(<redacted>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PhotoSignature):
            return NotImplemented
        return bool(np.array_equal(self.pixels, other.pixels))

    def __hash__(self) -> int:
        return hash(self.to_bytes())


@cache
def _blur_matrix(side: int, sigma: float) -> npt.NDArray[np.float64]:
    """B such that B @ X @ B.T is X blurred by a Gaussian of `sigma` (no edge normalisation)."""
    index = np.arange(side)
    weights = np.exp(-0.5 * ((index[:, None] - index[None, :]) / sigma) ** 2)
    matrix: npt.NDArray[np.float64] = weights / weights.sum(axis=1, keepdims=True)
    return matrix


def _high_pass(
    values: npt.NDArray[np.float64], valid: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """The signature minus its blur, the blur taken over valid pixels only (normalised
    convolution), so a face cut by the frame is not darkened at the cut."""
    blur = _blur_matrix(values.shape[0], HIGH_PASS_SIGMA)
    weight = blur @ valid.astype(np.float64) @ blur.T
    smooth = blur @ (values * valid) @ blur.T
    result: npt.NDArray[np.float64] = values - smooth / np.maximum(weight, 1e-9)
    return result


def _correlation(a: Pixels, b: Pixels) -> float:
    valid = (a != OUTSIDE) & (b != OUTSIDE)
    if valid.sum() < MIN_OVERLAP * valid.size:
        return 0.0
    x = _high_pass(a.astype(np.float64), valid)[valid]
    y = _high_pass(b.astype(np.float64), valid)[valid]
    x -= x.mean()
    y -= y.mean()
    if x.std() < MIN_DETAIL or y.std() < MIN_DETAIL:
        return 0.0  # a featureless region shows nothing either way
    return float((x * y).sum() / np.sqrt((x * x).sum() * (y * y).sum()))


def similarity(a: PhotoSignature, b: PhotoSignature) -> float:
    """How much two signatures look like the same photograph, -1..1 (1: identical).

    The larger of the correlations with `b` and with its mirror image: front cameras mirror,
    and a mirrored copy is still a copy. 0.0 when less than MIN_OVERLAP of the pixels lie
    inside both photos, or when either has no detail there (MIN_DETAIL).
    """
    return max(
        _correlation(a.pixels, b.pixels),
        _correlation(a.pixels, np.ascontiguousarray(b.pixels[:, ::-1])),
    )


def signature_similarity(
    stored: PhotoSignature | None, probe: PhotoSignature | None
) -> float | None:
    """`similarity` of two photos' signatures, or None when either photo has none (a reference
    enrolled before signatures were kept, a template read back from its bytes)."""
    if stored is None or probe is None:
        return None
    return similarity(stored, probe)


@dataclass(frozen=True)
class Replay:
    """An earlier photo the probe looks like a copy of: its position in the history, template
    distance and signature similarity (None when either photo has no signature)."""

    index: int
    distance: float
    similarity: float | None


@dataclass(frozen=True)
class PhotoHistory:
    """The photos a subject has already used, oldest first, in the packed form they are stored
    in: templates (n x 512 bytes), signatures (n x 256 bytes, zeros for a photo without one)
    and each photo's SHA-256. LIMIT bounds it in memory (`with_photo` keeps the newest); what is
    stored and read is the newest `Settings.face_history_photos` (`enforcement.face.replays`)."""

    templates: bytes = b""
    signatures: bytes = b""
    digests: tuple[str, ...] = ()

    LIMIT: ClassVar[int] = 200

    def __post_init__(self) -> None:
        count = len(self.digests)
        if len(self.templates) != count * _TEMPLATE_BYTES:
            raise ValueError("photo history: templates do not match the digests")
        if len(self.signatures) != count * _SIGNATURE_BYTES:
            raise ValueError("photo history: signatures do not match the digests")

    def __len__(self) -> int:
        return len(self.digests)

    def __repr__(self) -> str:
        return f"PhotoHistory(<{len(self)} photos>)"

    def matrix(self) -> npt.NDArray[np.float32]:
        return np.frombuffer(self.templates, dtype="<f4").reshape(-1, 128).astype(np.float32)

    def signature(self, index: int) -> PhotoSignature | None:
        start = index * _SIGNATURE_BYTES
        data = self.signatures[start : start + _SIGNATURE_BYTES]
        return None if not any(data) else PhotoSignature.from_bytes(data)

    def likeness(
        self,
        probe: FaceTemplate,
        zones: ReplayZones,
        exclude: frozenset[str] = frozenset(),
    ) -> list[tuple[Replay, Zone]]:
        """The earlier photos `probe` looks like a copy of, each with its replay zone: every
        photo not in the ACCEPT zone, skipping the digests in `exclude`; the most severe zone
        first, the closest photo first among equals. Empty when the photo is new to all of them.
        """
        keep = [i for i, digest in enumerate(self.digests) if digest not in exclude]
        if not keep:
            return []
        deltas = self.matrix()[keep].astype(np.float64) - probe.vector.astype(np.float64)
        distances = np.sqrt(np.einsum("ij,ij->i", deltas, deltas))
        found: list[tuple[Replay, Zone]] = []
        for row, index in enumerate(keep):
            score = signature_similarity(self.signature(index), probe.signature)
            zone = zones.zone(float(distances[row]), score)
            if zone is not Zone.ACCEPT:
                found.append((Replay(index, float(distances[row]), score), zone))
        found.sort(key=lambda f: (-f[1].severity, f[0].distance))
        return found

    def with_photo(self, digest: str, template: FaceTemplate) -> PhotoHistory:
        """The history with one more photo (a digest already present is not added twice);
        the oldest photos are dropped beyond LIMIT."""
        if digest in self.digests:
            return self
        signature = template.signature.to_bytes() if template.signature else bytes(_SIGNATURE_BYTES)
        digests = (*self.digests, digest)
        templates = self.templates + template.to_bytes()
        signatures = self.signatures + signature
        drop = max(0, len(digests) - self.LIMIT)
        return PhotoHistory(
            templates[drop * _TEMPLATE_BYTES :],
            signatures[drop * _SIGNATURE_BYTES :],
            digests[drop:],
        )
