"""dlib's models for the face engine: only those it uses, loaded once per process.

The engine detects with dlib's HOG frontal face detector, finds the 5 landmarks of the face and
computes the ResNet descriptor: the calls `face_recognition` makes (`face_locations(img, 1,
"hog")`, `face_encodings(img, boxes)` with its default "small" model), made here straight
through dlib, with the model files of the `face_recognition_models` package. Importing
`face_recognition` itself would load all four of its models, among them the 68-landmark
predictor (~100 MB, about 1 s) that nothing here uses, and the CNN detector; the CNN detector is
loaded only when the deployment configures it (`FACE_DETECTION_MODEL=cnn`).

`get_frontal_face_detector()` rebuilds the HOG detector from a compressed string inside dlib
(~0.5 s of CPU); the same detector saved with dlib's own serialisation loads in ~2 ms. The face
function's image writes that file (`bake`) beside the other models at build time; where it is
absent (a development virtualenv) the detector is built as face_recognition builds it. Either
way its detections are the same (tests/unit/test_face_models.py compares both on real photos).

The model files are found without importing `face_recognition_models`: its `__init__` imports
`pkg_resources` (100-200 ms, and gone from setuptools >= 82) only to compute these paths. A
missing package or file fails loudly (RuntimeError), never with the silent exit(0) that
`import face_recognition` makes when its models are unusable.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Final

#: The model files the engine uses, in face_recognition_models' `models/` directory.
LANDMARKS_FILE: Final = "shape_predictor_5_face_landmarks.dat"
DESCRIPTOR_FILE: Final = "dlib_face_recognition_resnet_model_v1.dat"
CNN_DETECTOR_FILE: Final = "mmod_human_face_detector.dat"
#: dlib's HOG frontal face detector as dlib serialises it, written by `bake`.
HOG_DETECTOR_FILE: Final = "frontal_face_detector.svm"
#: Shipped by face_recognition_models but not used: the image build deletes it.
UNUSED_FILES: Final = ("shape_predictor_68_face_landmarks.dat",)

PACKAGE: Final = "face_recognition_models"


@dataclass(frozen=True)
class Models:
    """The loaded models: the HOG detector (`dlib.fhog_object_detector`), the 5-point
    `dlib.shape_predictor` and the ResNet `dlib.face_recognition_model_v1`."""

    detector: Any
    landmarks: Any
    descriptor: Any


_lock = threading.Lock()
_models: Models | None = None
_cnn: Any = None


def directory() -> Path:
    """face_recognition_models' `models/` directory. RuntimeError when the package is absent."""
    spec = importlib.util.find_spec(PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise RuntimeError(f"{PACKAGE} is not installed: the face engine has no models")
    return Path(locations[0]) / "models"


def path(name: str) -> Path:
    """One model file, checked to exist (RuntimeError otherwise)."""
    found = directory() / name
    if not found.is_file():
        raise RuntimeError(f"{PACKAGE} has no {name}: the face engine cannot load its models")
    return found


def _dlib() -> ModuleType:
    try:
        return importlib.import_module("dlib")
    except ImportError as exc:
        raise RuntimeError(f"dlib cannot be imported (install dlib-bin): {exc}") from exc


def hog_detector(models: Path | None = None) -> Any:
    """dlib's HOG frontal face detector: from the baked file when there is one, otherwise built
    as `dlib.get_frontal_face_detector()` builds it."""
    dlib = _dlib()
    baked = (models or directory()) / HOG_DETECTOR_FILE
    if baked.is_file():
        return dlib.fhog_object_detector(str(baked))
    return dlib.get_frontal_face_detector()


def loaded() -> Models:
    """The engine's models, loaded on first use (about 0.25 s with the baked detector)."""
    global _models
    if _models is not None:
        return _models
    with _lock:
        if _models is None:
            dlib = _dlib()
            _models = Models(
                detector=hog_detector(),
                landmarks=dlib.shape_predictor(str(path(LANDMARKS_FILE))),
                descriptor=dlib.face_recognition_model_v1(str(path(DESCRIPTOR_FILE))),
            )
    return _models


def cnn_detector() -> Any:
    """dlib's CNN (MMOD) face detector, loaded on first use: only a deployment with
    FACE_DETECTION_MODEL=cnn asks for it."""
    global _cnn
    if _cnn is None:
        with _lock:
            if _cnn is None:
                _cnn = _dlib().cnn_face_detection_model_v1(str(path(CNN_DETECTOR_FILE)))
    return _cnn


def bake(models: Path | None = None) -> Path:
    """Write dlib's HOG frontal face detector, serialised, beside the other model files (the
    image build calls this once); returns the file."""
    target = (models or directory()) / HOG_DETECTOR_FILE
    _dlib().get_frontal_face_detector().save(str(target))
    return target


def prepare(models: Path | None = None) -> Path:
    """Make the models directory an image's: delete the files the engine never loads
    (UNUSED_FILES) and bake the HOG detector; returns the baked file. For image builds only
    (the Dockerfile calls it): face_recognition itself no longer imports afterwards."""
    folder = models or directory()
    for name in UNUSED_FILES:
        (folder / name).unlink(missing_ok=True)
    return bake(folder)


def face_recognition() -> ModuleType:
    """The `face_recognition` package itself, imported safely, for the tests and benchmarks that
    compare the engine with it (the engine does not use it).

    Its import catches any error importing face_recognition_models, prints a hint and calls
    quit() (exit status 0): the models package is imported first so the real ImportError
    surfaces, and a SystemExit becomes a RuntimeError. The import also switches on Pillow's
    LOAD_TRUNCATED_IMAGES globally; the previous value is restored so truncated uploads stay
    unreadable.
    """
    from PIL import ImageFile

    truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        with warnings.catch_warnings():  # "pkg_resources is deprecated": log noise only
            warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
            import face_recognition_models  # noqa: F401
    except ImportError as exc:
        raise RuntimeError(
            f"{PACKAGE} cannot be imported (it needs pkg_resources: install setuptools<82): {exc}"
        ) from exc
    try:
        return importlib.import_module("face_recognition")
    except SystemExit as exc:
        raise RuntimeError(
            "import face_recognition called exit(); face_recognition_models is not usable"
        ) from exc
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated
