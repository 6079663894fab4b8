"""Face verification: photo bytes → one face template (`encode`), templates → `compare`.

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
