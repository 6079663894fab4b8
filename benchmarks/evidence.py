"""Cost of checking one evidence photo (`enforcement.evidence.check_image`), part of `make bench`.

Each case runs in a fresh interpreter: the photo's bytes are made first, then the check is timed
and the peak resident memory it adds is read from `ru_maxrss` (the high-water mark after the
check minus the one before it). Blank PNGs are the cheap attack: a few hundred kB on the wire
that declare, and would decode to, tens or hundreds of megapixels; the JPEGs are what phones
send. Figures, not tests: they vary with whatever else runs on the machine.

Then the photo's whole path on the local stack, metered (`benchmarks.paths`): presigned upload,
S3 event, evidence function, stored on its record; and the same event delivered again.
"""

from __future__ import annotations

import io
import json
import statistics
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 3

#: (label, kind, width, height): kind "png1" 1-bit blank PNG, "rgb" 8-bit RGB blank PNG,
#: "jpeg" a smooth gradient JPEG (quality 90).
CASES = (
    ("blank 1-bit PNG, 120 MP (12000x10000)", "png1", 12000, 10000),
    ("blank RGB PNG, 120 MP (12000x10000)", "rgb", 12000, 10000),
    ("blank RGB PNG, 24 MP (6000x4000)", "rgb", 6000, 4000),
    ("blank RGB PNG, 16 MP (4896x3264)", "rgb", 4896, 3264),
    ("phone JPEG, 12 MP (4032x3024)", "jpeg", 4032, 3024),
    ("JPEG, 24 MP (6000x4000)", "jpeg", 6000, 4000),
)


def make_photo(kind: str, width: int, height: int) -> bytes:
    """The photo of a case: a blank PNG built row by row (never held decoded), or a JPEG."""
    if kind in ("png1", "rgb"):
        if kind == "png1":
            header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
            row = bytes(1 + (width + 7) // 8)
        else:
            header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
            row = bytes(1 + width * 3)
        compressor = zlib.compressobj(9)
        idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
        out = [b"\x89PNG\r\n\x1a\n"]
        for name, body in ((b"IHDR", header), (b"IDAT", idat), (b"IEND", b"")):
            crc = zlib.crc32(name + body) & 0xFFFFFFFF
            out.append(struct.pack(">I", len(body)) + name + body + struct.pack(">I", crc))
        return b"".join(out)
    import numpy as np
    from PIL import Image

    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    rgb = np.stack([x + 0 * y, y + 0 * x, (x + y) / 2], axis=2).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


#: Runs in a fresh interpreter: read the photo, import what the check needs, then measure.
_ONE_CASE = """
import json, resource, sys, time
from pathlib import Path
import numpy, PIL.Image
from enforcement import evidence
from enforcement.config import settings
from enforcement.face.images import FaceError
data = Path(sys.argv[1]).read_bytes()
limit = settings().upload_max_bytes
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
began = time.perf_counter()
try:
    evidence.check_image(data, limit)
    outcome = "accepted"
except FaceError as exc:
    outcome = exc.code
seconds = time.perf_counter() - began
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"outcome": outcome, "seconds": seconds, "added_mb": (after - before) / 1024}))
"""


def run_case(path: Path) -> dict[str, float | str]:
    out = subprocess.run(
        [sys.executable, "-c", _ONE_CASE, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, float | str] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> int:
    print(f"evidence.check_image, median of {RUNS} fresh interpreters per case")
    print("| photo | bytes | outcome | time | peak memory added |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="evidence-bench-") as tmp:
        for label, kind, width, height in CASES:
            path = Path(tmp) / f"{kind}-{width}x{height}"
            path.write_bytes(make_photo(kind, width, height))
            case(label, path)
    metered()
    return 0


def metered() -> None:
    from benchmarks import paths
    from benchmarks.metering import AwsMeter
    from infra.local.stack import LocalStack

    print("\n== an evidence photo's path on the local stack, metered")
    with LocalStack() as stack:
        for figures in paths.evidence_photos(stack, AwsMeter()):
            paths.show(figures)


def case(label: str, path: Path) -> None:
    runs = [run_case(path) for _ in range(RUNS)]
    seconds = statistics.median(float(r["seconds"]) for r in runs)
    added = statistics.median(float(r["added_mb"]) for r in runs)
    print(
        f"| {label} | {path.stat().st_size:,} | {runs[0]['outcome']} | "
        f"{seconds * 1000:.0f} ms | +{added:.0f} MB |"
    )


if __name__ == "__main__":
    sys.exit(main())
