"""The engine loads dlib's models itself (enforcement.face.models) instead of importing
face_recognition: its detections and templates must stay exactly face_recognition's, on real
photographs, so the zones calibrated on them stay valid; and the HOG detector read back from the
file the image build writes must be the detector dlib builds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from enforcement.face import engine, models
from enforcement.face.engine import EngineConfig, detect, load_image, people

from tests import photos

CONFIG = EngineConfig()


def real_photos() -> list[tuple[str, bytes]]:
    """The sample photographs (single faces, the six-person group, the astronaut whose patch
    HOG also finds) and two photos of each person of dlib's examples (johns/ and the bald
    guys' collage)."""
    chosen = [(name, photos.photo_bytes(name)) for name in (*photos.OBAMA, *photos.OTHERS)]
    chosen.append((photos.GROUP, photos.photo_bytes(photos.GROUP)))
    for person, paths in sorted(photos.identities().items()):
        if person.startswith(("Bald_", "John_")):
            chosen += [(f"{person}/{p.name}", p.read_bytes()) for p in paths[:2]]
    return chosen


PHOTOS = real_photos()


def test_enough_photos_are_compared() -> None:
    assert len(PHOTOS) >= 20


@pytest.mark.parametrize(("name", "data"), PHOTOS, ids=[name for name, _ in PHOTOS])
def test_detections_and_templates_are_face_recognitions(name: str, data: bytes) -> None:
    face_recognition = models.face_recognition()
    image = load_image(data, CONFIG)

    rects, scores, _ = face_recognition.api.face_detector.run(image, 1, 0.0)
    theirs = sorted(
        ((r.top(), r.right(), r.bottom(), r.left(), s) for r, s in zip(rects, scores, strict=True)),
    )
    ours = sorted((d.top, d.right, d.bottom, d.left, d.score) for d in detect(image, CONFIG))
    assert ours == theirs
    assert sorted(face_recognition.face_locations(image, 1, "hog")) == sorted(
        d.css(image.shape) for d in detect(image, CONFIG)
    )

    faces = people(detect(image, CONFIG))
    assert faces, name
    for face in faces:
        box = face.css(image.shape)
        expected = face_recognition.face_encodings(image, known_face_locations=[box])[0]
        template = engine._descriptor(image, face, CONFIG)
        assert np.array_equal(template.vector, np.asarray(expected, dtype=np.float32)), name


def test_the_baked_detector_is_dlibs(tmp_path: Path) -> None:
    import dlib

    baked = models.bake(tmp_path)
    assert baked == tmp_path / models.HOG_DETECTOR_FILE
    from_file = models.hog_detector(tmp_path)
    built = dlib.get_frontal_face_detector()
    found = 0
    for _name, data in PHOTOS:
        image = load_image(data, CONFIG)
        theirs = built.run(image, 1, 0.0)
        ours = from_file.run(image, 1, 0.0)
        assert [(r.top(), r.left(), r.bottom(), r.right()) for r in ours[0]] == [
            (r.top(), r.left(), r.bottom(), r.right()) for r in theirs[0]
        ]
        assert list(ours[1]) == list(theirs[1])  # scores, exactly
        found += len(ours[0])
    assert found >= len(PHOTOS)


def test_without_a_baked_file_the_detector_is_built(tmp_path: Path) -> None:
    detector = models.hog_detector(tmp_path)  # nothing baked there
    image = load_image(photos.photo_bytes("obama.jpg"), CONFIG)
    assert len(detector.run(image, 1, 0.0)[0]) == 1


def test_model_files_are_face_recognition_models(tmp_path: Path) -> None:
    models.face_recognition()  # face_recognition_models imported safely
    import face_recognition_models

    assert models.path(models.LANDMARKS_FILE) == Path(
        face_recognition_models.pose_predictor_five_point_model_location()
    )
    assert models.path(models.DESCRIPTOR_FILE) == Path(
        face_recognition_models.face_recognition_model_location()
    )
    assert models.path(models.CNN_DETECTOR_FILE) == Path(
        face_recognition_models.cnn_face_detector_model_location()
    )
