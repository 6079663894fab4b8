"""scripts/check_face_image.py does what the face function's Dockerfile does (make image-check
runs it; these tests keep the two from drifting apart and check its reuse key)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts import check_face_image as image

DOCKERFILE = image.DOCKERFILE.read_text()


def test_same_install_steps_as_the_dockerfile() -> None:
    only_binary = re.search(r"--only-binary=(\S+)", DOCKERFILE)
    assert only_binary is not None
    assert only_binary.group(1) == image.ONLY_BINARY
    assert "face_recognition==" not in DOCKERFILE  # the engine calls dlib itself
    assert f'python -c "{image.PREPARE_MODELS}"' in DOCKERFILE
    assert "/tmp/requirements/face_models/requirements.txt" in DOCKERFILE
    assert "/tmp/requirements/common/requirements.txt" in DOCKERFILE
    assert f"python:{image.IMAGE_PYTHON}" in DOCKERFILE
    assert 'CMD ["app.lambda_handler"]' in DOCKERFILE
    assert "-r ../common/requirements.txt" in image.FACE_REQUIREMENTS.read_text()


def test_task_root_holds_the_package_and_the_handler(tmp_path: Path) -> None:
    root = image.make_task_root(tmp_path)
    for handler in image.HANDLERS:  # one function of the image each
        assert (root / handler).read_text() == (image.ROOT / "functions/face" / handler).read_text()
        assert f"functions/face/{handler}" in DOCKERFILE
    assert (root / "enforcement" / "face" / "engine.py").is_file()
    assert (root / "enforcement" / "checkin" / "decisions.py").is_file()
    assert not list(root.rglob("__pycache__"))


def test_test_tools_are_the_projects_pins() -> None:
    dev = image.DEV_REQUIREMENTS.read_text()
    pins = image._pins(("boto3", "moto"))
    assert [pin.split("==")[0] for pin in pins] == ["boto3", "moto"]
    for pin in pins:
        assert pin.split("==")[1] in dev
    with pytest.raises(SystemExit, match="no pin"):
        image._pins(("not-a-package",))


def test_venv_is_reused_only_while_its_inputs_are_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(image.FACE_REQUIREMENTS.read_text())
    monkeypatch.setattr(image, "FACE_REQUIREMENTS", requirements)
    tools = image._pins(("boto3", "moto"))
    key = image.venv_key("3.12.1", tools)
    assert image.venv_key("3.12.1", tools) == key
    assert image.venv_key("3.12.2", tools) != key
    assert image.venv_key("3.12.1", [*tools[:1], "moto==0.0.1"]) != key
    requirements.write_text(requirements.read_text() + "\nextra-package==1.0\n")
    assert image.venv_key("3.12.1", tools) != key


def test_the_projects_pip_installs_into_the_image_venv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The image virtualenv has no pip of its own: the project's (newer, about half the CPU on
    the index's pages) installs into it through `--python`, with the Dockerfile's arguments."""
    import subprocess
    import sys

    calls: list[list[str]] = []

    def run(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(image.subprocess, "run", run)
    python = tmp_path / "bin" / "python"
    image._pip(python, f"--only-binary={image.ONLY_BINARY}", "-r", "requirements.txt")
    [command] = calls
    assert command[:5] == [sys.executable, "-m", "pip", "--python", str(python)]
    assert command[-3:] == [f"--only-binary={image.ONLY_BINARY}", "-r", "requirements.txt"]
    assert "install" in command
