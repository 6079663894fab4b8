"""Calibrate the match threshold on a deployment's own photos (and, with --zones, the zones).

    python -m enforcement.face.calibrate FOLDER [--target-fmr 0.001] [--jobs 2]
    python -m enforcement.face.calibrate FOLDER --zones [--holdout-share 0.4] [--seed 0]

With --zones: the identities are split into a tuning and a held-out set, the zones fitted on the
first and reported on the second (`enforcement.face.zone_calibration`), after the threshold
report below.

FOLDER holds one folder per person (the folder's name is the identity), each with that person's
photos (JPEG, PNG, WebP). Every photo is encoded with the engine as deployed (the FACE_*
variables apply; --max-side, --model and --jitters override them), then every pair of templates
is compared: pairs of one person's photos are genuine, pairs across people impostors.

Printed: the two distance distributions (percentiles and a histogram), the false match rate
(FMR: impostor pairs at or below the threshold) and false non-match rate (FNMR: genuine pairs
above it) at several thresholds, and the largest threshold whose FMR stays at or below the target
(1/1000 by default). Set FaceMatchThreshold to it, or lower.

Why calibrate: face_recognition's 99.38 % on LFW is one population under one protocol; the
model is known to separate some populations (East Asian faces among them) less well, so the
default 0.6 can admit far more impostors there than the LFW figure suggests. An FMR of 1/1000
is only measured with about 3000 impostor pairs or more (the "rule of three"): the command says
so when there are fewer. Photos the engine refuses (no face, two faces, unreadable) are listed
with their codes and left out. Nothing prints or stores a template.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final, TextIO

import numpy as np
import numpy.typing as npt

from enforcement.face.configured import driver_engine_config, engine_config
from enforcement.face.engine import EngineConfig, FaceError, FaceTemplate, encode

__all__ = ["Calibration", "Photo", "calibrate", "encode_folder", "main", "photos_in"]

EXTENSIONS: Final = (".jpg", ".jpeg", ".png", ".webp")
DEFAULT_THRESHOLDS: Final = (0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65)
#: Histogram bins of the printed distributions.
BIN_WIDTH: Final = 0.05
#: Rows of the pairwise distance matrix computed at a time (memory: BLOCK x N float32).
BLOCK: Final = 2048


@dataclass(frozen=True)
class Photo:
    """One photo of an identity, and what the engine made of it."""

    identity: str
    path: Path
    template: FaceTemplate | None
    error: str | None = None


@dataclass(frozen=True)
class Rate:
    """FMR and FNMR at one threshold, with the counts they come from."""

    threshold: float
    false_matches: int
    impostor_pairs: int
    false_non_matches: int
    genuine_pairs: int

    @property
    def fmr(self) -> float:
        return self.false_matches / self.impostor_pairs if self.impostor_pairs else math.nan

    @property
    def fnmr(self) -> float:
        return self.false_non_matches / self.genuine_pairs if self.genuine_pairs else math.nan


@dataclass(frozen=True)
class Calibration:
    """The outcome of `calibrate`: distance distributions, rates, and the threshold found.

    `threshold` is the largest distance at which FMR ≤ target_fmr (just below the impostor pair
    that would break it; with no impostor pair allowed, just below the closest one); None when
    there are no impostor pairs. `enough_impostors` says whether the impostor pairs are enough to
    measure target_fmr at all (3 / target_fmr of them).
    """

    identities: int
    photos: int
    refused: dict[str, int]
    genuine: npt.NDArray[np.float64]
    impostor_histogram: npt.NDArray[np.int64]
    impostor_pairs: int
    impostor_closest: npt.NDArray[np.float64]
    rates: tuple[Rate, ...]
    target_fmr: float
    threshold: float | None
    rate_at_threshold: Rate | None

    @property
    def enough_impostors(self) -> bool:
        return self.impostor_pairs >= 3 / self.target_fmr


def photos_in(folder: Path) -> dict[str, list[Path]]:
    """Identity → its photo files (sorted), from FOLDER/<identity>/<photo>; hidden entries and
    other files are skipped."""
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder")
    found: dict[str, list[Path]] = {}
    for person in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(
            p
            for p in person.iterdir()
            if p.is_file() and p.suffix.lower() in EXTENSIONS and not p.name.startswith(".")
        )
        if files:
            found[person.name] = files
    return found


def _encode_one(job: tuple[str, Path, EngineConfig]) -> Photo:
    identity, path, config = job
    try:
        return Photo(identity, path, encode(path.read_bytes(), config))
    except FaceError as exc:
        return Photo(identity, path, None, exc.code)


def encode_folder(folder: Path, config: EngineConfig, jobs: int = 1) -> list[Photo]:
    """Every photo under `folder` encoded (in `jobs` processes when more than one)."""
    work = [
        (identity, path, config) for identity, paths in photos_in(folder).items() for path in paths
    ]
    if jobs <= 1 or len(work) < 2 * jobs:
        return [_encode_one(job) for job in work]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_encode_one, work, chunksize=4))


def calibrate(
    photos: Sequence[Photo],
    thresholds: Iterable[float] = DEFAULT_THRESHOLDS,
    target_fmr: float = 0.001,
) -> Calibration:
    """Distances of every genuine and impostor pair among the encoded photos, and the rates."""
    if not 0 < target_fmr < 1:
        raise ValueError("target_fmr must be between 0 and 1")
    usable = [p for p in photos if p.template is not None]
    refused = Counter(p.error or "unknown" for p in photos if p.template is None)
    labels = np.array([p.identity for p in usable])
    matrix = np.array(
        [p.template.vector for p in usable if p.template is not None], dtype=np.float64
    ).reshape(-1, 128)
    norms = np.einsum("ij,ij->i", matrix, matrix)
    chosen = tuple(sorted(set(float(t) for t in thresholds)))
    edges = np.arange(0.0, 2.0 + BIN_WIDTH, BIN_WIDTH)
    histogram = np.zeros(len(edges) - 1, dtype=np.int64)
    false_matches = np.zeros(len(chosen), dtype=np.int64)
    genuine_parts: list[npt.NDArray[np.float64]] = []
    closest = np.zeros(0)
    impostor_pairs = 0
    # the smallest impostor distances are kept exactly: enough to place the threshold
    total_pairs = len(usable) * (len(usable) - 1) // 2
    keep = int(target_fmr * total_pairs) + 2
    for start in range(0, len(usable), BLOCK):
        stop = min(start + BLOCK, len(usable))
        squared = norms[start:stop, None] + norms[None, :] - 2.0 * (matrix[start:stop] @ matrix.T)
        distances = np.sqrt(np.maximum(squared, 0.0))
        rows, cols = np.nonzero(np.arange(start, stop)[:, None] < np.arange(len(usable))[None, :])
        pair = distances[rows, cols]
        same = labels[start + rows] == labels[cols]
        genuine_parts.append(pair[same])
        impostor = pair[~same]
        impostor_pairs += len(impostor)
        histogram += np.histogram(np.minimum(impostor, 2.0), bins=edges)[0]
        for i, limit in enumerate(chosen):
            false_matches[i] += int(np.count_nonzero(impostor <= limit))
        closest = np.concatenate([closest, impostor])
        if len(closest) > keep:
            closest = np.partition(closest, keep - 1)[:keep]
    genuine = np.sort(np.concatenate(genuine_parts)) if genuine_parts else np.zeros(0)
    closest = np.sort(closest)

    def rate(threshold: float, matches: int | None = None) -> Rate:
        if matches is None:
            matches = int(np.count_nonzero(closest <= threshold))
        return Rate(
            threshold,
            matches,
            impostor_pairs,
            int(np.count_nonzero(genuine > threshold)),
            len(genuine),
        )

    rates = tuple(rate(t, int(false_matches[i])) for i, t in enumerate(chosen))
    found: float | None = None
    at_threshold: Rate | None = None
    if impostor_pairs:
        allowed = math.floor(target_fmr * impostor_pairs + 1e-9)
        boundary = float(closest[min(allowed, len(closest) - 1)])
        found = float(np.nextafter(boundary, 0.0)) if allowed < len(closest) else boundary
        at_threshold = rate(found)
    return Calibration(
        identities=len(set(labels.tolist())),
        photos=len(photos),
        refused=dict(refused),
        genuine=genuine,
        impostor_histogram=histogram,
        impostor_pairs=impostor_pairs,
        impostor_closest=closest,
        rates=rates,
        target_fmr=target_fmr,
        threshold=found,
        rate_at_threshold=at_threshold,
    )


# ------------------------------------------------------------------ printing


def _percentiles(values: npt.NDArray[np.float64]) -> str:
    if len(values) == 0:
        return "none"
    points = np.percentile(values, [0, 1, 5, 25, 50, 75, 95, 99, 100])
    names = ("min", "p1", "p5", "p25", "p50", "p75", "p95", "p99", "max")
    return "  ".join(f"{n} {v:.3f}" for n, v in zip(names, points, strict=True))


def _impostor_percentiles(result: Calibration) -> str:
    if result.impostor_pairs == 0:
        return "none"
    cumulative = np.cumsum(result.impostor_histogram)
    parts = [f"min {result.impostor_closest[0]:.3f}"]
    for name, share in (("p1", 0.01), ("p5", 0.05), ("p25", 0.25), ("p50", 0.5)):
        index = int(np.searchsorted(cumulative, share * result.impostor_pairs))
        parts.append(f"{name} <{(index + 1) * BIN_WIDTH:.2f}")
    return "  ".join(parts)


def _percent(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{100 * value:.3f} %"


def report(result: Calibration, out: TextIO) -> None:
    """Print a calibration for people."""
    write = out.write
    write(f"identities {result.identities}, photos {result.photos}")
    if result.refused:
        refused = ", ".join(f"{code} {n}" for code, n in sorted(result.refused.items()))
        write(f" (refused by the engine and left out: {refused})")
    write(f"\ngenuine pairs {len(result.genuine)}, impostor pairs {result.impostor_pairs}\n\n")
    write(f"genuine  distances: {_percentiles(result.genuine)}\n")
    write(f"impostor distances: {_impostor_percentiles(result)}\n\n")

    genuine_counts = np.histogram(
        np.minimum(result.genuine, 2.0), bins=np.arange(0.0, 2.0 + BIN_WIDTH, BIN_WIDTH)
    )[0]
    write("distance       genuine   impostor\n")
    for i in range(len(genuine_counts)):
        if genuine_counts[i] or result.impostor_histogram[i]:
            low = i * BIN_WIDTH
            write(
                f"{low:.2f}-{low + BIN_WIDTH:.2f}  {genuine_counts[i]:9d}  "
                f"{int(result.impostor_histogram[i]):9d}\n"
            )
    write("\nthreshold   FMR (false matches)        FNMR (false non-matches)\n")
    for rate in result.rates:
        write(
            f"{rate.threshold:9.3f}   {_percent(rate.fmr):>9} ({rate.false_matches:>7})"
            f"      {_percent(rate.fnmr):>9} ({rate.false_non_matches:>5})\n"
        )
    write("\n")
    if result.threshold is None or result.rate_at_threshold is None:
        write("no impostor pairs: at least two identities with usable photos are needed\n")
        return
    at = result.rate_at_threshold
    write(
        f"largest threshold with FMR <= {result.target_fmr:g}: {result.threshold:.4f} "
        f"(FMR {_percent(at.fmr)}, FNMR {_percent(at.fnmr)})\n"
    )
    if not result.enough_impostors:
        needed = math.ceil(3 / result.target_fmr)
        write(
            f"caution: {result.impostor_pairs} impostor pairs cannot show an FMR of "
            f"{result.target_fmr:g}; about {needed} are needed (more identities or photos). The "
            "threshold above is only the largest below the impostor pairs seen.\n"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m enforcement.face.calibrate",
        description="Genuine and impostor distance distributions, FMR and FNMR, and the "
        "threshold that keeps FMR at or below the target, from a folder per identity.",
    )
    parser.add_argument("folder", type=Path, help="FOLDER/<identity>/<photos>")
    parser.add_argument("--target-fmr", type=float, default=0.001)
    parser.add_argument(
        "--thresholds",
        type=lambda text: [float(v) for v in text.split(",")],
        default=list(DEFAULT_THRESHOLDS),
        help="comma-separated thresholds to report (default %(default)s)",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--max-side", type=int, help="override FACE_MAX_SIDE")
    parser.add_argument("--model", choices=("hog", "cnn"), help="override FACE_DETECTION_MODEL")
    parser.add_argument("--jitters", type=int, help="override FACE_NUM_JITTERS")
    parser.add_argument(
        "--drivers",
        action="store_true",
        help="the engine of drivers' photos (DRIVER_FACE_UPSAMPLE) instead of crew photos'",
    )
    parser.add_argument(
        "--zones",
        action="store_true",
        help="also fit the accept/review/refuse zones on a tuning set of identities and report "
        "them on the held-out ones",
    )
    parser.add_argument("--holdout-share", type=float, default=0.4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    config = driver_engine_config() if args.drivers else engine_config()
    if args.max_side is not None:
        config = replace(config, max_side=args.max_side)
    if args.model is not None:
        config = replace(config, model=args.model)
    if args.jitters is not None:
        config = replace(config, num_jitters=args.jitters)
    try:
        photos = encode_folder(args.folder, config, args.jobs)
        result = calibrate(photos, args.thresholds, args.target_fmr)
    except ValueError as exc:
        print(f"calibrate: {exc}", file=sys.stderr)
        return 2
    if not photos:
        print(f"calibrate: no photos under {args.folder}/<identity>/", file=sys.stderr)
        return 2
    report(result, sys.stdout)
    if args.zones:
        from enforcement.face.zone_calibration import run

        print("\n== zones")
        try:
            run(args.folder, config, sys.stdout, args.holdout_share, args.seed, args.jobs)
        except ValueError as exc:
            print(f"calibrate: {exc}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
