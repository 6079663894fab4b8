"""The face engine on real photographs: genuine pairs verify, impostors do not, the one-face
policy holds, and templates never show their numbers."""

from __future__ import annotations

import io
import itertools
import logging
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from enforcement import config
from enforcement.face import engine, models
from enforcement.face.configured import engine_config
from enforcement.face.engine import (
    EngineConfig,
    FaceError,
    FaceTemplate,
    compare,
    detect,
    encode,
    load_image,
    people,
)
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PIL import Image

from tests import photos

CONFIG = EngineConfig()
THRESHOLD = CONFIG.threshold


@cache
def template(name: str) -> FaceTemplate:
    """Each fetched photo is encoded once per test session."""
    return encode(photos.photo_bytes(name), CONFIG)


@cache
def group_faces() -> tuple[FaceTemplate, ...]:
    """The six people of t1.jpg, each encoded from a crop around the face the detector found."""
    image = load_image(photos.photo_bytes(photos.GROUP), CONFIG)
    full = photos.open_rgb(photos.GROUP)
    scale = full.width / image.shape[1]
    faces = []
    for hit in people(detect(image, CONFIG)):
        margin = hit.height * 0.8
        box = (
            max(0, round((hit.left - margin) * scale)),
            max(0, round((hit.top - margin) * scale)),
            min(full.width, round((hit.right + margin) * scale)),
            min(full.height, round((hit.bottom + margin) * scale)),
        )
        faces.append(encode(photos.crop(photos.GROUP, box), CONFIG))
    return tuple(faces)


def code_of(data: bytes, config: EngineConfig = CONFIG) -> FaceError:
    with pytest.raises(FaceError) as caught:
        encode(data, config)
    error: FaceError = caught.value
    return error


# ------------------------------------------------------------------ verification


GENUINE = list(itertools.combinations(photos.OBAMA, 2))
ALTERED = [
    ("obama.jpg", "obama_partial_face.jpg"),
    ("obama.jpg", "obama_partial_face2.jpg"),
    ("obama2.jpg", "32bit.png"),
]
IMPOSTORS = [
    *itertools.product(photos.OBAMA + photos.OBAMA_ALTERED, photos.OTHERS),
    *itertools.combinations(photos.OTHERS, 2),
]


@pytest.mark.parametrize(("a", "b"), GENUINE + ALTERED)
def test_same_person_verifies(a: str, b: str) -> None:
    match = compare(template(a), template(b), THRESHOLD)
    assert match.matched, f"{a} vs {b}: distance {match.distance:.3f}"
    assert match.threshold == THRESHOLD


@pytest.mark.parametrize(("a", "b"), IMPOSTORS)
def test_different_people_do_not_verify(a: str, b: str) -> None:
    match = compare(template(a), template(b), THRESHOLD)
    assert not match.matched, f"{a} vs {b}: distance {match.distance:.3f}"


def test_six_people_of_the_group_photo_are_all_different() -> None:
    faces = group_faces()
    assert len(faces) == 6
    for (i, a), (j, b) in itertools.combinations(enumerate(faces), 2):
        match = compare(a, b, THRESHOLD)
        assert not match.matched, f"t1 faces {i} and {j}: distance {match.distance:.3f}"


def test_group_photo_people_match_nobody_in_the_other_photos() -> None:
    singles = photos.OBAMA + photos.OTHERS
    for face, name in itertools.product(group_faces(), singles):
        assert not compare(face, template(name), THRESHOLD).matched, name


def test_genuine_pairs_are_closer_than_every_impostor_pair() -> None:
    genuine = max(compare(template(a), template(b), 1.0).distance for a, b in GENUINE)
    impostor = min(compare(template(a), template(b), 1.0).distance for a, b in IMPOSTORS)
    assert genuine < THRESHOLD < impostor


def test_compare_is_the_euclidean_distance_and_inclusive_at_the_threshold() -> None:
    a, b = template("obama.jpg"), template("obama2.jpg")
    expected = float(np.linalg.norm(a.vector.astype(np.float64) - b.vector.astype(np.float64)))
    match = compare(a, b, THRESHOLD)
    assert match.distance == pytest.approx(expected)
    assert compare(b, a, THRESHOLD).distance == pytest.approx(match.distance)
    assert compare(a, b, match.distance).matched
    assert not compare(a, b, match.distance - 1e-6).matched
    assert compare(a, a, THRESHOLD).distance == 0.0


@pytest.mark.parametrize("name", ["obama.jpg", "biden.jpg"])
def test_templates_are_bit_identical_to_face_encodings(name: str) -> None:
    """The engine makes face_recognition's own calls on the box it found."""
    face_recognition = models.face_recognition()  # a bare import allows truncated images

    image = load_image(photos.photo_bytes(name), CONFIG)
    box = people(detect(image, CONFIG))[0].css(image.shape)
    expected = face_recognition.face_encodings(image, known_face_locations=[box])[0]
    assert np.array_equal(template(name).vector, np.asarray(expected, dtype=np.float32))


def test_compare_agrees_with_face_recognition() -> None:
    face_recognition = models.face_recognition()

    a, b = template("obama.jpg"), template("biden.jpg")
    reference = face_recognition.face_distance(np.array([a.vector]), b.vector)[0]
    assert compare(a, b, THRESHOLD).distance == pytest.approx(float(reference), abs=1e-6)


# ------------------------------------------------------------------ the loader matters


def test_exif_rotated_photo_verifies_and_ignoring_exif_would_lose_the_face() -> None:
    data = photos.exif_rotated("obama.jpg")
    assert compare(template("obama.jpg"), encode(data, CONFIG), THRESHOLD).matched

    with Image.open(io.BytesIO(data)) as opened:  # what a loader that ignores EXIF would see
        stored = opened.convert("RGB")
    stored.thumbnail((CONFIG.max_side, CONFIG.max_side))
    assert people(detect(np.asarray(stored), CONFIG)) == []


@pytest.mark.parametrize(
    "variant",
    [
        photos.palette_png,
        photos.png_16bit_gray,
        photos.png_16bit_rgb,
        photos.grayscale_jpeg,
        photos.webp,
    ],
    ids=["palette-png", "16bit-grey-png", "48bit-rgb-png", "greyscale-jpeg", "webp"],
)
def test_other_formats_of_the_same_photo_verify(variant: Callable[[str], bytes]) -> None:
    assert compare(template("obama.jpg"), encode(variant("obama.jpg"), CONFIG), THRESHOLD).matched


# ------------------------------------------------------------------ one face, and a usable one


def test_group_photo_is_multiple_faces_with_the_count() -> None:
    error = code_of(photos.photo_bytes(photos.GROUP))
    assert error.code == "multiple_faces"
    assert error.details == {"faces": 6}


def test_two_people_side_by_side_is_multiple_faces() -> None:
    error = code_of(photos.side_by_side(("obama.jpg", "biden.jpg")))
    assert error.code == "multiple_faces"
    assert error.details == {"faces": 2}


def test_a_small_false_detection_is_not_a_second_person() -> None:
    """HOG also fires on the astronaut's mission patch; the photo still has one person."""
    image = load_image(photos.photo_bytes("astronaut.png"), CONFIG)
    assert len(detect(image, CONFIG)) >= 2
    assert len(people(detect(image, CONFIG))) == 1
    assert not compare(template("astronaut.png"), template("obama.jpg"), THRESHOLD).matched


@pytest.mark.parametrize("make", [photos.gradient_jpeg, photos.background], ids=["gradient", "bg"])
def test_photo_without_a_face_is_no_face(make: Callable[[], bytes]) -> None:
    assert code_of(make()).code == "no_face"


def test_face_below_min_face_px_is_too_small() -> None:
    error = code_of(photos.scaled("obama.jpg", 0.11))
    assert error.code == "face_too_small"
    assert error.details is not None
    assert error.details["face_px"] < CONFIG.min_face_px == error.details["min_face_px"]


def test_without_upsampling_a_small_face_is_too_small_not_absent() -> None:
    """Drivers' photos are detected without upsampling (a quarter of the work): a face the
    upsampled detector finds and the direct one cannot is refused `face_too_small`, with the
    direct detector's reach, so the officer knows to come closer; a photo without a face is
    still `no_face`, and a face within reach is encoded."""
    direct = replace(CONFIG, upsample=0)
    far = photos.distant()
    assert encode(far, CONFIG).vector.shape == (128,)  # the crew engine (upsampled) finds it
    error = code_of(far, direct)
    assert error.code == "face_too_small"
    assert error.details is not None
    assert error.details["face_px"] < engine.DIRECT_MIN_FACE_PX == error.details["min_face_px"]
    assert code_of(photos.background(), direct).code == "no_face"
    near = encode(photos.photo_bytes("obama.jpg"), direct)
    assert compare(near, template("obama2.jpg"), THRESHOLD).matched


def test_without_the_pixel_digest_the_template_is_the_same() -> None:
    """Drivers' photos skip the pixel digest (the full-size decode the replay test needs)."""
    data = photos.scaled("obama3.jpg", 1.0)
    plain = encode(data, replace(CONFIG, pixel_digest=False))
    full = encode(data, CONFIG)
    assert (plain.pixel_digest, full.pixel_digest is not None) == (None, True)
    assert plain == full


@pytest.mark.parametrize("upsample", [-1, 3])
def test_upsample_is_0_1_or_2(upsample: int) -> None:
    with pytest.raises(ValueError, match="upsample"):
        EngineConfig(upsample=upsample)


def test_min_face_px_is_applied_at_the_working_size() -> None:
    face_px = people(detect(load_image(photos.photo_bytes("obama.jpg"), CONFIG), CONFIG))[0].height
    assert code_of(photos.photo_bytes("obama.jpg"), EngineConfig(min_face_px=face_px + 1)).code == (
        "face_too_small"
    )
    assert encode(photos.photo_bytes("obama.jpg"), EngineConfig(min_face_px=face_px)) == template(
        "obama.jpg"
    )


@pytest.mark.parametrize(
    ("make", "config", "expected"),
    [
        (lambda: b"", CONFIG, "image_empty"),
        (photos.garbage, CONFIG, "image_unreadable"),
        (photos.truncated_jpeg, CONFIG, "image_unreadable"),
        (lambda: photos.bomb_png(30_000, 30_000), CONFIG, "image_too_many_pixels"),
        (lambda: photos.photo_bytes("obama.jpg"), EngineConfig(max_bytes=1000), "image_too_large"),
        (
            lambda: photos.photo_bytes("obama.jpg"),
            EngineConfig(max_pixels=640 * 480),
            "image_too_many_pixels",
        ),
    ],
    ids=["empty", "garbage", "truncated", "bomb", "bytes", "pixels"],
)
def test_unusable_uploads_have_their_codes(
    make: Callable[[], bytes], config: EngineConfig, expected: str
) -> None:
    models.face_recognition()  # imported beside the engine: it switches truncated loading on
    assert code_of(make(), config).code == expected


def test_face_error_carries_code_message_and_details() -> None:
    error = code_of(photos.photo_bytes(photos.GROUP))
    assert error.message
    assert error.code in str(error)


# ------------------------------------------------------------------ one detection, one template


class CountingDetector:
    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls = 0

    def run(self, *args: Any) -> Any:
        self.calls += 1
        return self.real.run(*args)

    def __call__(self, *args: Any) -> Any:
        self.calls += 1
        return self.real(*args)


def test_the_detector_runs_once_per_photo(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = models.loaded()
    spy = CountingDetector(loaded.detector)
    monkeypatch.setattr(models, "_models", replace(loaded, detector=spy))
    result = encode(photos.photo_bytes("obama2.jpg"), CONFIG)
    assert spy.calls == 1
    assert result == template("obama2.jpg")


def test_encoding_is_deterministic() -> None:
    assert encode(photos.photo_bytes("obama3.jpg"), CONFIG) == template("obama3.jpg")


# ------------------------------------------------------------------ templates are secret


def test_template_repr_and_str_reveal_no_numbers(caplog: pytest.LogCaptureFixture) -> None:
    face = template("obama.jpg")
    logger = logging.getLogger("test.face")
    with caplog.at_level(logging.INFO, logger="test.face"):
        logger.info("template %s %r", face, face)
        logger.info("in a dict: %s", {"template": face})
    shown = [repr(face), str(face), f"{face}", f"{face!r}", repr([face]), caplog.text]
    for text in shown:
        assert "FaceTemplate" in text or "template" in text
    for text in shown[:-1]:
        assert not re.search(r"\d", text), text
    assert not re.search(r"\d\.\d", caplog.text)


def test_template_bytes_round_trip() -> None:
    face = template("obama.jpg")
    data = face.to_bytes()
    assert isinstance(data, bytes)
    assert len(data) == 128 * 4
    again = FaceTemplate.from_bytes(data)
    assert again == face
    assert hash(again) == hash(face)
    assert again.vector.dtype == np.float32
    assert again.vector.shape == (128,)
    assert compare(face, again, THRESHOLD).distance == 0.0


def test_template_is_immutable_and_validated() -> None:
    face = template("obama.jpg")
    with pytest.raises(ValueError, match="read-only"):
        face.vector[0] = 1.0
    with pytest.raises(ValueError, match="512 bytes"):
        FaceTemplate.from_bytes(b"\x00" * 100)
    with pytest.raises(ValueError, match="finite"):
        FaceTemplate(np.full(128, np.nan, dtype=np.float32))
    with pytest.raises(ValueError, match="128"):
        FaceTemplate(np.zeros(64, dtype=np.float32))


# ------------------------------------------------------------------ configuration


def test_config_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine as deployed is built from `Settings` (the FACE_* variables), in one place."""
    for name in (
        "FACE_MAX_BYTES",
        "FACE_MAX_PIXELS",
        "FACE_MAX_SIDE",
        "FACE_MIN_FACE_PX",
        "FACE_DETECTION_MODEL",
        "FACE_NUM_JITTERS",
        "FACE_MATCH_THRESHOLD",
    ):
        monkeypatch.delenv(name, raising=False)
    assert engine_config() == replace(EngineConfig(), max_pixels=config.Settings().face_max_pixels)
    values = {
        "FACE_MAX_BYTES": "1000",
        "FACE_MAX_PIXELS": "2000",
        "FACE_MAX_SIDE": "640",
        "FACE_MIN_FACE_PX": "60",
        "FACE_DETECTION_MODEL": "CNN",
        "FACE_NUM_JITTERS": "3",
        "FACE_MATCH_THRESHOLD": "0.45",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    config.settings.cache_clear()
    assert engine_config() == EngineConfig(1000, 2000, 640, 60, "cnn", 3, 0.45)
    monkeypatch.setenv("FACE_DETECTION_MODEL", "mtcnn")
    config.settings.cache_clear()
    with pytest.raises(config.SettingsError, match="FACE_DETECTION_MODEL"):
        engine_config()
    monkeypatch.setenv("FACE_DETECTION_MODEL", "hog")
    monkeypatch.setenv("FACE_MAX_SIDE", "big")
    config.settings.cache_clear()
    with pytest.raises(config.SettingsError, match="FACE_MAX_SIDE"):
        engine_config()


def test_the_library_defaults_are_the_deployments() -> None:
    """EngineConfig's own defaults (calibration, benchmarks) are the production settings."""
    deployed = engine_config(config.Settings())
    assert replace(deployed, max_pixels=EngineConfig().max_pixels) == EngineConfig()


def test_encode_without_config_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACE_MIN_FACE_PX", "2000")
    with pytest.raises(FaceError) as caught:
        encode(photos.photo_bytes("obama2.jpg"))
    assert caught.value.code == "face_too_small"


# ------------------------------------------------------------------ the models fail loudly


@pytest.fixture
def unloaded(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Forget the loaded models for one test (monkeypatch puts them back)."""
    monkeypatch.setattr(models, "_models", None)
    monkeypatch.setattr(models, "_cnn", None)
    return monkeypatch


def test_missing_models_package_becomes_runtime_error(unloaded: pytest.MonkeyPatch) -> None:
    real = models.importlib.util.find_spec
    unloaded.setattr(
        models.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "face_recognition_models" else real(name, *a),
    )
    with pytest.raises(RuntimeError, match="face_recognition_models is not installed"):
        encode(photos.photo_bytes("obama.jpg"), CONFIG)


@pytest.mark.parametrize("missing", [models.LANDMARKS_FILE, models.DESCRIPTOR_FILE])
def test_missing_model_file_becomes_runtime_error(
    unloaded: pytest.MonkeyPatch, tmp_path: Path, missing: str
) -> None:
    for name in (models.LANDMARKS_FILE, models.DESCRIPTOR_FILE):
        if name != missing:
            (tmp_path / name).symlink_to(models.path(name))
    unloaded.setattr(models, "directory", lambda: tmp_path)
    with pytest.raises(RuntimeError, match=missing):
        engine.preload(CONFIG)


def test_the_cnn_detector_is_loaded_only_when_configured(unloaded: pytest.MonkeyPatch) -> None:
    engine.preload(CONFIG)
    assert models._cnn is None
    engine.preload(replace(CONFIG, model="cnn"))
    assert models._cnn is not None


def test_exit_during_face_recognition_import_becomes_runtime_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # what face_recognition does when face_recognition_models fails: print a hint and exit(0)
    for name in [m for m in sys.modules if m.split(".")[0] == "face_recognition"]:
        monkeypatch.delitem(sys.modules, name)
    (tmp_path / "face_recognition.py").write_text("raise SystemExit(0)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(RuntimeError, match="exit"):
        models.face_recognition()


def test_missing_pkg_resources_becomes_runtime_error(unloaded: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m.split(".")[0] == "face_recognition"]:
        unloaded.delitem(sys.modules, name)
    unloaded.delitem(sys.modules, "face_recognition_models", raising=False)
    unloaded.setitem(sys.modules, "pkg_resources", None)  # import now raises ImportError
    with pytest.raises(RuntimeError, match="setuptools<82"):
        models.face_recognition()
    # the engine itself does not need pkg_resources: it loads its models without them
    assert encode(photos.photo_bytes("obama.jpg"), CONFIG) == template("obama.jpg")


# ------------------------------------------------------------------ property: only FaceError


#: Examples of the property below. Arbitrary and damaged bytes through the loader alone are
#: tests/unit/test_image_loading.py's property (200 examples); what this one adds is the damaged
#: crops that still decode, through detection and encoding (about a quarter of its examples, each
#: a whole encode).
ENCODE_PROPERTY_EXAMPLES = 100


@settings(
    max_examples=ENCODE_PROPERTY_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.one_of(
        st.binary(max_size=1024),
        st.builds(
            lambda data, cut, flips: _damage(data, cut, flips),
            st.sampled_from([photos.crop("obama.jpg", (300, 100, 620, 420))]),
            st.one_of(st.just(1.0), st.floats(0.05, 1.0)),
            st.lists(st.tuples(st.floats(0.0, 0.999), st.integers(0, 255)), max_size=6),
        ),
    )
)
def test_arbitrary_bytes_encode_or_raise_face_error(data: bytes) -> None:
    try:
        outcome: object = encode(data, CONFIG)
    except FaceError as exc:
        outcome = exc.code
    event(outcome if isinstance(outcome, str) else "template")
    assert isinstance(outcome, FaceTemplate) or outcome in {
        "image_empty",
        "image_unreadable",
        "image_too_many_pixels",
        "no_face",
        "multiple_faces",
        "face_too_small",
    }


def _damage(data: bytes, cut: float, flips: list[tuple[float, int]]) -> bytes:
    damaged = bytearray(data[: max(1, int(len(data) * cut))])
    for where, value in flips:
        damaged[int(where * len(damaged))] = value
    return bytes(damaged)
