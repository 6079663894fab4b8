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
not the three the rule was first tuned on. So neither decides alone. `zones.ReplayZones` refuses
automatically only where both agree by a wide margin (or the pixels are the same,
`FaceTemplate.pixel_digest`), and sends the photo to an officer where either looks like a copy;
the lines are fitted on some people's photos and checked on others' (docs/benchmarks.md, "Face
decisions"). `ReplayRule` below is the older two-outcome test at the REVIEW lines.

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

from enforcement.face.zones import REPLAY_REVIEW_MAX_DISTANCE, REPLAY_REVIEW_MIN_SIMILARITY

if TYPE_CHECKING:
    from enforcement.face.engine import FaceTemplate

__all__ = [
    "REPLAY_DISTANCE",
    "REPLAY_SIMILARITY",
    "SIGNATURE_PADDING",
    "SIGNATURE_SIDE",
    "PhotoHistory",
    "PhotoSignature",
    "Replay",
    "ReplayRule",
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

#: A template distance at or below this looks like the same photograph: the replay zones' REVIEW
#: line (`zones.REPLAY_REVIEW_MAX_DISTANCE`; docs/benchmarks.md, "Face decisions").
REPLAY_DISTANCE: Final = REPLAY_REVIEW_MAX_DISTANCE
#: A signature similarity at or above this looks like the same photograph: the REVIEW line
#: (`zones.REPLAY_REVIEW_MIN_SIMILARITY`).
REPLAY_SIMILARITY: Final = REPLAY_REVIEW_MIN_SIMILARITY

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


@dataclass(frozen=True)
class Replay:
    """A stored photo the probe is a copy of: its position, template distance and signature
    similarity (None when either photo has no signature)."""

    index: int
    distance: float
    similarity: float | None


@dataclass(frozen=True)
class ReplayRule:
    """When a photo is the same photograph as another: template distance ≤ max_distance, or
    signature similarity ≥ min_similarity. The deployment's values are `Settings` fields
    (FACE_REPLAY_MAX_DISTANCE, FACE_REPLAY_MIN_SIMILARITY; `enforcement.face.configured`)."""

    max_distance: float = REPLAY_DISTANCE
    min_similarity: float = REPLAY_SIMILARITY

    def is_replay(self, distance: float, signature_similarity: float | None) -> bool:
        if distance <= self.max_distance:
            return True
        return signature_similarity is not None and signature_similarity >= self.min_similarity

    def check(
        self,
        probe: FaceTemplate,
        stored: FaceTemplate,
        stored_signature: PhotoSignature | None,
    ) -> Replay | None:
        """The replay verdict of `probe` against one stored photo, or None when it is new."""
        return self.first(probe, np.asarray([stored.vector]), [stored_signature])

    def first(
        self,
        probe: FaceTemplate,
        templates: npt.NDArray[np.float32],
        signatures: list[PhotoSignature | None],
    ) -> Replay | None:
        """The closest stored photo (rows of `templates`, with their `signatures`) that `probe`
        is a copy of, or None when it is a copy of none of them."""
        if len(templates) == 0:
            return None
        if len(signatures) != len(templates):
            raise ValueError("one signature (or None) per stored template")
        deltas = templates.astype(np.float64) - probe.vector.astype(np.float64)
        distances = np.sqrt(np.einsum("ij,ij->i", deltas, deltas))
        for index in np.argsort(distances, kind="stable"):
            stored = signatures[int(index)]
            score = (
                similarity(stored, probe.signature)
                if stored is not None and probe.signature is not None
                else None
            )
            if self.is_replay(float(distances[index]), score):
                return Replay(int(index), float(distances[index]), score)
        return None


@dataclass(frozen=True)
class PhotoHistory:
    """The photos a subject has already used, oldest first, in the packed form they are stored
    in: templates (n x 512 bytes), signatures (n x 256 bytes, zeros for a photo without one)
    and each photo's SHA-256. `limit` keeps the newest entries only (one DynamoDB item holds
    at most 400 kB; 200 entries take about 170 kB)."""

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

    def find(
        self,
        probe: FaceTemplate,
        rule: ReplayRule,
        exclude: frozenset[str] = frozenset(),
    ) -> tuple[str, Replay] | None:
        """The digest of the closest earlier photo `probe` is a copy of, skipping the digests
        in `exclude`, and the replay found; None when the photo is new."""
        keep = [i for i, digest in enumerate(self.digests) if digest not in exclude]
        if not keep:
            return None
        templates = self.matrix()[keep]
        found = rule.first(probe, templates, [self.signature(i) for i in keep])
        if found is None:
            return None
        return self.digests[keep[found.index]], found

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
