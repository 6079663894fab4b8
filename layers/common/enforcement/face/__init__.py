"""Face verification: photo bytes → one face template (`encode`), templates → `compare`.

Modules: `engine` (templates, the one-face policy) and `images` (safe decoding); `liveness`
(is a photo a copy of another: the replay rule) and `replays` (the photos a subject already
used); `index` (1:N search over enrolled templates, kept in S3); `calibrate` (the command that
finds the match threshold on a deployment's own photos).

The engine needs numpy, Pillow and face_recognition/dlib, which only the face function's
container image carries; other functions must not import this package.
"""

from enforcement.face.engine import (
    EngineConfig,
    FaceError,
    FaceTemplate,
    Match,
    compare,
    encode,
    image_digest,
    load_image,
    preload,
)

__all__ = [
    "EngineConfig",
    "FaceError",
    "FaceTemplate",
    "Match",
    "compare",
    "encode",
    "image_digest",
    "load_image",
    "preload",
]
