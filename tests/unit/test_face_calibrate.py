"""The calibration command: distributions, FMR/FNMR and the threshold at the target FMR, on a
folder of real photographs and on templates whose distances are known."""

from __future__ import annotations

import io
import math
import shutil
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest
from enforcement.face import calibrate
from enforcement.face.calibrate import Photo
from enforcement.face.engine import FaceTemplate

from tests import photos


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("people")
    layout = {
        "obama": list(photos.OBAMA),
        "biden": ["biden.jpg"],
        "hanks": ["Tom_Hanks_54745.png"],
        "astronaut": ["astronaut.png"],
        "group": [photos.GROUP],  # six people in one photo: refused, left out
    }
    for person, names in layout.items():
        (root / person).mkdir()
        for name in names:
            shutil.copy(photos.photo(name), root / person / name)
    (root / "obama" / "notes.txt").write_text("not a photo")
    (root / ".hidden").mkdir()
    (root / "empty").mkdir()
    return root


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        status = calibrate.main(list(argv))
    return status, out.getvalue()


def test_photos_in_lists_one_folder_per_identity(folder: Path) -> None:
    found = calibrate.photos_in(folder)
    assert sorted(found) == ["astronaut", "biden", "group", "hanks", "obama"]
    assert [p.name for p in found["obama"]] == sorted(photos.OBAMA)


def test_command_on_real_photos(folder: Path) -> None:
    status, text = run(str(folder), "--jobs", "1")
    assert status == 0
    assert "identities 4, photos 7 (refused by the engine and left out: multiple_faces 1)" in text
    assert "genuine pairs 3, impostor pairs 12" in text
    line = next(t for t in text.splitlines() if t.startswith("largest threshold"))
    threshold = float(line.split(":")[1].split()[0])
    assert 0.44 < threshold < 0.75  # above every genuine pair, below every impostor pair
    assert "FNMR 0.000 %" in line
    table = text.split("threshold   FMR", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    rows = {float(t.split()[0]): t for t in table}
    assert sorted(rows) == list(calibrate.DEFAULT_THRESHOLDS)
    assert "100.000 % (    3)" in rows[0.3]  # no genuine pair is that close
    assert "0.000 % (      0)" in rows[0.6]
    assert "caution: 12 impostor pairs cannot show an FMR of 0.001" in text


def test_command_refuses_a_missing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert calibrate.main([str(tmp_path / "absent")]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert calibrate.main([str(tmp_path)]) == 2
    assert "no photos" in capsys.readouterr().err


def synthetic_people(
    people: int, per_person: int, seed: int = 0, spread: float = 0.05
) -> list[Photo]:
    """Identities as clusters: one person's photos 0.2-0.5 apart (some photos worse than
    others), people about 16 x `spread` apart (0.8 at the default)."""
    rng = np.random.default_rng(seed)
    made = []
    for person in range(people):
        centre = rng.normal(0, spread, 128)
        for shot in range(per_person):
            vector = centre + rng.normal(0, rng.uniform(0.012, 0.03), 128)
            made.append(Photo(f"p{person}", Path(f"p{person}/{shot}.jpg"), FaceTemplate(vector)))
    return made


def test_rates_and_threshold_match_a_direct_count() -> None:
    shots = synthetic_people(40, 5)
    shots.append(Photo("p0", Path("p0/blurred.jpg"), None, "no_face"))
    result = calibrate.calibrate(shots, thresholds=(0.4, 0.6), target_fmr=0.001)
    vectors = np.array([p.template.vector for p in shots if p.template is not None], np.float64)
    labels = [p.identity for p in shots if p.template is not None]
    genuine, impostor = [], []
    for i in range(len(vectors)):
        for j in range(i + 1, len(vectors)):
            distance = float(np.linalg.norm(vectors[i] - vectors[j]))
            (genuine if labels[i] == labels[j] else impostor).append(distance)
    assert len(result.genuine) == len(genuine) == 40 * 10
    assert result.impostor_pairs == len(impostor) == 200 * 199 // 2 - 400
    assert result.enough_impostors
    assert result.refused == {"no_face": 1}
    for rate in result.rates:
        assert rate.false_matches == sum(d <= rate.threshold for d in impostor)
        assert rate.false_non_matches == sum(d > rate.threshold for d in genuine)
    # the threshold: as many false matches as the target allows, and not one more
    assert result.threshold is not None
    assert result.rate_at_threshold is not None
    allowed = math.floor(0.001 * len(impostor))
    assert sum(d <= result.threshold for d in impostor) <= allowed
    next_impostor = sorted(impostor)[allowed]
    assert result.threshold < next_impostor
    assert result.threshold == pytest.approx(next_impostor, abs=1e-9)
    assert result.rate_at_threshold.fmr <= 0.001
    assert result.rate_at_threshold.fnmr == pytest.approx(
        sum(d > result.threshold for d in genuine) / len(genuine)
    )


def test_a_tighter_population_needs_a_lower_threshold() -> None:
    """People closer together (as the model places some populations) move the threshold down:
    the reason a deployment calibrates on its own photos."""
    spread = calibrate.calibrate(synthetic_people(40, 4, seed=1))
    tighter = calibrate.calibrate(synthetic_people(40, 4, seed=1, spread=0.024))
    assert spread.threshold is not None
    assert tighter.threshold is not None
    assert tighter.threshold < spread.threshold - 0.1
    assert spread.rate_at_threshold is not None
    assert tighter.rate_at_threshold is not None
    assert spread.rate_at_threshold.fnmr == 0
    assert tighter.rate_at_threshold.fnmr > 0.05  # the price: genuine pairs refused


def test_report_never_prints_template_values(folder: Path) -> None:
    _status, text = run(str(folder), "--jobs", "1", "--thresholds", "0.5")
    assert "FaceTemplate" not in text
    assert "e-0" not in text  # no raw float dumps
    assert len(text.splitlines()) < 40
