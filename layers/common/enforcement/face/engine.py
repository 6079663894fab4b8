"""The face engine: photo bytes → one 128-d face template; two templates → a match decision.

Built on dlib's HOG (or CNN) detector, 5-point landmarks and ResNet face descriptor, called as
face_recognition 1.3.0 calls them, with the model files of face_recognition_models (`models`
loads only those: not the 68-point predictor; the CNN detector only when configured). Templates
are biometric personal data: nothing here logs or returns one except to the caller, and
`FaceTemplate` hides its numbers from repr/str.

Pipeline for `encode`:
1. `load_image`: limits checked on the header, decoded, EXIF orientation applied, reduced so the
   longer side is at most `max_side` (detection time grows with pixels, the descriptor does not
   need more: dlib aligns every face to a 150x150 chip).
2. Detection at that size, once; detections much smaller or much weaker than the main face are
   not counted as other people (HOG fires on the astronaut's mission patch in scikit-image's
   sample photo with the same box size as her face, but a far lower score).
3. The descriptor is computed at the same scale from the known face box, with the same calls as
   `face_recognition.face_encodings` (5-point landmarks, then the ResNet), without running the
   detector a second time. The same landmarks cut the face's `PhotoSignature` (liveness.py): what
   the photograph looks like, for telling a copy of an earlier photo from a new one.

The models are loaded on first use (or by `preload`): only the functions that encode pay for them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from enforcement.face import models
from enforcement.face.images import FaceError, RGBImage, decode, downscale, read
from enforcement.face.liveness import CHIP_SIDE, SIGNATURE_PADDING, PhotoSignature

__all__ = [
    "Detection",
    "EngineConfig",
    "FaceError",
    "FaceTemplate",
    "Match",
    "compare",
    "detect",
    "encode",
    "image_digest",
    "load_image",
    "people",
    "preload",
]

#: Dimensions of a face_recognition/dlib descriptor.
TEMPLATE_DIMENSIONS: Final = 128
_TEMPLATE_DTYPE: Final = np.dtype("<f4")

#: By default the detector runs on the image upsampled once: HOG's window is 80 px, so faces down
#: to about 40 px at the working size are found (`EngineConfig.upsample`).
UPSAMPLE: Final = 1
#: The smallest face the detector finds without upsampling (its window), at the working size.
DIRECT_MIN_FACE_PX: Final = 80
#: A further detection counts as another person only if it is at least this fraction of the main
#: face's height...
SECONDARY_MIN_HEIGHT_RATIO: Final = 0.4
#: ...and the detector is at least this sure of it. On the reference photos, real faces score
#: 0.53-2.4 (HOG, upsampled once); the astronaut's mission patch scores 0.12.
SECONDARY_MIN_SCORE: Final = 0.3

Model = Literal["hog", "cnn"]


@dataclass(frozen=True)
class EngineConfig:
    """Limits and tuning of the engine. The deployment's values are `Settings` fields (FACE_*),
    made into an EngineConfig in one place, `enforcement.face.configured.engine_config`; the
    defaults here serve library use (calibration, benchmarks, tests).

    max_bytes: largest upload accepted, in bytes. max_pixels: largest declared width x height,
    checked on the header before decoding.
    max_side: the longer side is reduced to this many pixels before detection (0 keeps the
    native size; 800 px puts a selfie's face far above min_face_px). min_face_px: smallest face
    height, at the working size, that is encoded. On the reference photos, HOG's smallest boxes
    (36 px) gave same-person distances up to 0.52 and 43 px boxes at most 0.48, so 40 refuses
    the unreliable size. model: "hog" (CPU, ~0.1 s at 800 px) or "cnn" (~10 s and 2.2 GB peak
    at 800 px). num_jitters: descriptor re-samplings (cost grows linearly). threshold: largest
    distance that counts as the same person (same person 0.33-0.44, different people >= 0.63 on
    the reference photos). upsample: how many times the image is doubled for detection: 1 finds
    faces from ~40 px at the working size, 0 only from ~80 px (HOG's window) at a quarter of
    the pixels, about 4x faster. Templates of one index must come from one setting: the box
    the detector gives decides the landmarks, so a photo's templates at 0 and at 1 differ by
    0.04-0.09 (distance) on the reference photos. pixel_digest: whether the template carries
    the photo's pixel digest (FaceTemplate), which needs the photo decoded at full size as well:
    the replay test of crew checks needs it, a driver's search does not (~55 ms at 3000 px).
    """

    max_bytes: int = 10 * 1024 * 1024
    max_pixels: int = 50_000_000
    max_side: int = 800
    min_face_px: int = 40
    model: Model = "hog"
    num_jitters: int = 1
    threshold: float = 0.5
    upsample: int = UPSAMPLE
    pixel_digest: bool = True

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.max_pixels <= 0:
            raise ValueError("max_bytes and max_pixels must be positive")
        if self.max_side < 0 or self.min_face_px < 0:
            raise ValueError("max_side and min_face_px must not be negative")
        if self.model not in ("hog", "cnn"):
            raise ValueError(f"model must be 'hog' or 'cnn', not {self.model!r}")
        if self.num_jitters < 1:
            raise ValueError("num_jitters must be at least 1")
        if not 0 <= self.upsample <= 2:
            raise ValueError("upsample must be 0, 1 or 2")
        if not 0.0 < self.threshold < 2.0:
            raise ValueError("threshold must be between 0 and 2")


@dataclass(frozen=True, eq=False, repr=False)
class FaceTemplate:
    """A 128-d face descriptor (float32). Biometric data: repr/str never show the numbers.

    `to_bytes` gives 512 bytes (little-endian float32, no header) for storage; `from_bytes`
    checks length and finiteness. Equality compares the values; the array is read-only.

    `signature` is the `PhotoSignature` of the photo the template was computed from (set by
    `encode`, None for a template read back from storage): a 16x16 picture of the aligned face
    that tells this photograph from another of the same person (biometric too, and as secret).
    It is not part of the template's value, bytes or equality.

    `pixel_digest` (set by `encode`, like `signature`) is the SHA-256 of the photo's decoded,
    upright RGB pixels at full size (`images.pixel_digest`): two files with the same digest
    carry the same picture, an exact copy whatever their bytes (a PNG of a JPEG's pixels). It
    is not biometric (it cannot be turned back into the face), and not part of the value either.
    """

    vector: npt.NDArray[np.float32]
    signature: PhotoSignature | None = field(default=None, compare=False)
    pixel_digest: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        vector = np.array(self.vector, dtype=np.float32).reshape(-1)
        if vector.shape != (TEMPLATE_DIMENSIONS,):
            raise ValueError(f"a face template has {TEMPLATE_DIMENSIONS} values")
        if not np.all(np.isfinite(vector)):
            raise ValueError("a face template must be finite")
        vector.flags.writeable = False
        object.__setattr__(self, "vector", vector)

    def to_bytes(self) -> bytes:
        return self.vector.astype(_TEMPLATE_DTYPE).tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> FaceTemplate:
        expected = TEMPLATE_DIMENSIONS * _TEMPLATE_DTYPE.itemsize
        if len(data) != expected:
            raise ValueError(f"a stored face template has {expected} bytes, not {len(data)}")
        return cls(np.frombuffer(data, dtype=_TEMPLATE_DTYPE).astype(np.float32))

    def __repr__(self) -> str:
        return "FaceTemplate(<redacted>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FaceTemplate):
            return NotImplemented
        return bool(np.array_equal(self.vector, other.vector))

    def __hash__(self) -> int:
        return hash(self.to_bytes())

    def __reduce__(self) -> Any:
        # pickling (e.g. a cache) stays possible, but through bytes rather than a numpy repr
        signature = self.signature.to_bytes() if self.signature is not None else None
        return (_restore, (self.to_bytes(), signature, self.pixel_digest))


def _restore(
    template: bytes, signature: bytes | None, pixel_digest: str | None = None
) -> FaceTemplate:
    restored = FaceTemplate.from_bytes(template)
    stored = PhotoSignature.from_bytes(signature) if signature is not None else None
    return FaceTemplate(restored.vector, stored, pixel_digest)


@dataclass(frozen=True)
class Match:
    """The outcome of a 1:1 comparison: same person when distance ≤ threshold."""

    distance: float
    threshold: float
    matched: bool


@dataclass(frozen=True)
class Detection:
    """One detector hit in a working-size image: box (top, right, bottom, left) and score.

    The box may extend past the image edges for a face cut off by the frame; `height` is the
    detector's box height, the measure `min_face_px` and the secondary-face rule use.
    """

    top: int
    right: int
    bottom: int
    left: int
    score: float

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def css(self, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
        """The box clipped to the image, in face_recognition's (top, right, bottom, left)."""
        return (
            max(self.top, 0),
            min(self.right, shape[1]),
            min(self.bottom, shape[0]),
            max(self.left, 0),
        )


# ------------------------------------------------------------------ public API


def preload(config: EngineConfig | None = None) -> None:
    """Load the models `config` uses now (about 0.25 s; the CNN detector only when configured);
    `config` None: the deployment's.

    Called at module level by a handler, the cost falls in the Lambda init phase instead of the
    first photo; the container build also calls it to prove the models load.
    """
    if config is None:
        from enforcement.face.configured import engine_config  # it imports this module

        config = engine_config()
    models.loaded()
    if config.model == "cnn":
        models.cnn_detector()


def load_image(data: bytes, config: EngineConfig) -> RGBImage:
    """Photo bytes → upright RGB uint8 array (HxWx3), longer side ≤ `config.max_side`.

    Raises FaceError: image_empty, image_too_large, image_too_many_pixels (declared size, checked
    before decoding; Pillow's decompression-bomb guard maps here too), image_unreadable (not a
    JPEG/PNG/WebP, truncated, corrupt).
    """
    return decode(
        data,
        max_bytes=config.max_bytes,
        max_pixels=config.max_pixels,
        max_side=config.max_side,
    )


def detect(image: RGBImage, config: EngineConfig) -> list[Detection]:
    """All detector hits in a working-size image, largest first (ties: higher score first)."""
    found: list[Detection] = []
    if config.model == "cnn":
        for hit in models.cnn_detector()(image, config.upsample):
            rect = hit.rect
            found.append(
                Detection(
                    rect.top(), rect.right(), rect.bottom(), rect.left(), float(hit.confidence)
                )
            )
    else:
        rects, scores, _kinds = models.loaded().detector.run(image, config.upsample, 0.0)
        for rect, score in zip(rects, scores, strict=True):
            found.append(Detection(rect.top(), rect.right(), rect.bottom(), rect.left(), score))
    found.sort(key=lambda d: (d.height, d.score), reverse=True)
    return found


def people(detections: list[Detection]) -> list[Detection]:
    """The detections that count as faces of people, main face first.

    The main face is the largest confident detection (score ≥ SECONDARY_MIN_SCORE), or the
    largest of all when none is confident (a lone, faint face is still a face). Another detection
    counts as a second person only if it is at least SECONDARY_MIN_HEIGHT_RATIO of the main
    face's height and confident: smaller or fainter hits are badges, patches and prints.
    """
    if not detections:
        return []
    confident = [d for d in detections if d.score >= SECONDARY_MIN_SCORE]
    main = max(confident or detections, key=lambda d: (d.height, d.score))
    return [main] + [
        d
        for d in confident
        if d is not main and d.height >= SECONDARY_MIN_HEIGHT_RATIO * main.height
    ]


def encode(data: bytes, config: EngineConfig | None = None) -> FaceTemplate:
    """Photo bytes → the template of the one face in it. `config` None: the deployment's
    (`enforcement.face.configured.engine_config`).

    The template carries the photo's signature and pixel digest (see FaceTemplate).

    Raises FaceError: the load_image codes, no_face, multiple_faces (details {"faces": n}) and
    face_too_small (the face is below `min_face_px` at the working size).
    """
    if config is None:
        from enforcement.face.configured import engine_config  # it imports this module

        config = engine_config()
    cfg: EngineConfig = config
    decoded = read(
        data,
        max_bytes=cfg.max_bytes,
        max_pixels=cfg.max_pixels,
        max_side=cfg.max_side,
        digest=cfg.pixel_digest,
    )
    image = downscale(decoded)
    faces = people(detect(image, cfg))
    if not faces and cfg.upsample == 0:
        _refuse_small_face(image, cfg)
    if not faces:
        raise FaceError("no_face", "no face was found in the photo")
    if len(faces) > 1:
        raise FaceError(
            "multiple_faces",
            f"{len(faces)} faces were found; the photo must show exactly one person",
            {"faces": len(faces)},
        )
    face = faces[0]
    if face.height < cfg.min_face_px:
        raise FaceError(
            "face_too_small",
            "the face is too small in the photo; come closer to the camera",
            {"face_px": face.height, "min_face_px": cfg.min_face_px},
        )
    return _descriptor(image, face, cfg, decoded.pixel_digest)


def _refuse_small_face(image: RGBImage, config: EngineConfig) -> None:
    """Without upsampling only faces from DIRECT_MIN_FACE_PX are seen: when the upsampled
    detector finds one the direct one missed, the face is too small, not absent (the cost of
    this second look falls on refused photos only)."""
    smaller = people(detect(image, replace(config, upsample=UPSAMPLE)))
    if smaller:
        raise FaceError(
            "face_too_small",
            "the face is too small in the photo; come closer to the camera",
            {"face_px": smaller[0].height, "min_face_px": DIRECT_MIN_FACE_PX},
        )


def _descriptor(
    image: RGBImage, face: Detection, config: EngineConfig, pixel_digest: str | None = None
) -> FaceTemplate:
    """The template of one detected face, and the signature of its photo.

    The calls of `face_recognition.face_encodings(image, [box], num_jitters)` (its default
    "small" model: 5 landmarks), so templates are bit-identical to it; the landmarks are then
    reused to cut the aligned face chip the signature is made from (about 1 ms).
    """
    import dlib

    loaded = models.loaded()
    top, right, bottom, left = face.css(image.shape)
    landmarks = loaded.landmarks(image, dlib.rectangle(left, top, right, bottom))
    vector = loaded.descriptor.compute_face_descriptor(image, landmarks, config.num_jitters)
    chip = dlib.get_face_chip(image, landmarks, CHIP_SIDE, SIGNATURE_PADDING)
    inside = dlib.get_face_chip(
        np.full(image.shape[:2], 255, dtype=np.uint8), landmarks, CHIP_SIDE, SIGNATURE_PADDING
    )
    return FaceTemplate(
        np.asarray(vector, dtype=np.float32), PhotoSignature.from_chip(chip, inside), pixel_digest
    )


def compare(reference: FaceTemplate, probe: FaceTemplate, threshold: float) -> Match:
    """Euclidean distance between two templates (as face_recognition.face_distance computes it);
    matched when the distance is at most `threshold`. The one comparison of a face with the
    threshold: the check-in's face check takes `Match.matched` as it is
    (`enforcement.checkin.face_rules.face_outcome`)."""
    distance = float(
        np.linalg.norm(reference.vector.astype(np.float64) - probe.vector.astype(np.float64))
    )
    return Match(distance=distance, threshold=float(threshold), matched=distance <= threshold)


def image_digest(data: bytes) -> str:
    """SHA-256 of the raw upload (hex), so callers can spot the exact same file sent again."""
    return hashlib.sha256(data).hexdigest()
