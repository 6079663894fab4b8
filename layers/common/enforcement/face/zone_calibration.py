"""Fit the face zones on some people's photos and report them on other people's.

    python -m enforcement.face.calibrate FOLDER --zones [--holdout-share 0.4] [--seed 0]

FOLDER holds one folder per person, as for the threshold report. The identities (not the photos)
are split into a tuning set and a held-out set, deterministically by the seed (people with one
photo and people with several are split apart, so both sides have genuine pairs). Every photo
is encoded, and so is each kind of copy of it (`enforcement.face.copies`: what a replay sends).
The zones are fitted on the tuning set only (`enforcement.face.zone_fit`, margins stated there)
and counted on the held-out set: genuine pairs refused automatically (by the match, by the
replay test), impostor pairs accepted automatically, copies not caught automatically, and the
share of genuine pairs sent to review. The zones as configured (FACE_MATCH_*, FACE_REPLAY_*) are
counted on every photo of FOLDER too: the table for a deployment's own photos.

An optional FOLDER/same-photographs.txt names files (person/file, space-separated, one group a
line) that are versions of one photograph: their pairs count as copies, not as new photos, as do
files with the same pixels. Nothing prints or stores a template.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import TextIO

import numpy as np

from enforcement.face.calibrate import photos_in
from enforcement.face.configured import match_zones, replay_zones
from enforcement.face.copies import KINDS, copies
from enforcement.face.engine import EngineConfig, FaceError, FaceTemplate, encode
from enforcement.face.liveness import similarity
from enforcement.face.zone_fit import Assessment, Margins, Measured, assess, fit_match, fit_replay
from enforcement.face.zones import MatchZones, ReplayZones

__all__ = [
    "Encoded",
    "Pairs",
    "Split",
    "encode_all",
    "pairs",
    "run",
    "same_photographs",
    "split",
]

SAME_PHOTOGRAPHS = "same-photographs.txt"


@dataclass(frozen=True)
class Split:
    tuning: tuple[str, ...]
    held_out: tuple[str, ...]


def split(identities: dict[str, list[Path]], share: float, seed: int) -> Split:
    """Identities into tuning and held-out, `share` of them held out (rounded, at least one of
    each group that has two or more); people with several photos and with one apart."""
    if not 0 < share < 1:
        raise ValueError("the held-out share must be between 0 and 1")
    rng = random.Random(seed)
    tuning: list[str] = []
    held: list[str] = []
    for group in (
        sorted(n for n, p in identities.items() if len(p) > 1),
        sorted(n for n, p in identities.items() if len(p) == 1),
    ):
        rng.shuffle(group)
        count = round(share * len(group))
        if len(group) >= 2:
            count = min(max(count, 1), len(group) - 1)
        held += group[:count]
        tuning += group[count:]
    return Split(tuple(sorted(tuning)), tuple(sorted(held)))


def same_photographs(folder: Path) -> list[frozenset[str]]:
    """The groups of FOLDER/same-photographs.txt ("person/file" names), if there is one."""
    listed = folder / SAME_PHOTOGRAPHS
    if not listed.is_file():
        return []
    return [frozenset(line.split()) for line in listed.read_text().splitlines() if line.strip()]


@dataclass(frozen=True)
class Encoded:
    """A photo (kind None) or one copy of it, and its template or the engine's error code."""

    identity: str
    name: str
    kind: str | None
    template: FaceTemplate | None
    error: str | None = None


def _encode_photo(job: tuple[str, Path, EngineConfig, bool]) -> list[Encoded]:
    identity, path, config, with_copies = job
    name = f"{identity}/{path.name}"
    data = path.read_bytes()
    out: list[Encoded] = []
    made = copies(data).items() if with_copies else ()
    for kind, content in [(None, data), *made]:
        try:
            out.append(Encoded(identity, name, kind, encode(content, config)))
        except FaceError as exc:
            out.append(Encoded(identity, name, kind, None, exc.code))
    return out


def encode_all(
    folder: Path,
    config: EngineConfig,
    jobs: int = 1,
    people: Sequence[str] | None = None,
    with_copies: bool = True,
) -> list[Encoded]:
    """Every photo under FOLDER (of `people` only, when given) and every copy of it, encoded."""
    work = [
        (i, p, config, with_copies)
        for i, paths in photos_in(folder).items()
        if people is None or i in people
        for p in paths
    ]
    if jobs <= 1:
        results = [_encode_photo(job) for job in work]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_encode_photo, work))
    return [e for batch in results for e in batch]


@dataclass(frozen=True)
class Pairs:
    genuine: list[Measured]
    genuine_names: list[tuple[str, str]]
    impostor: list[float]
    copies: list[Measured]
    copies_unusable: int


def _measure(a: FaceTemplate, b: FaceTemplate) -> Measured:
    distance = float(np.linalg.norm(a.vector.astype(np.float64) - b.vector.astype(np.float64)))
    alike = similarity(a.signature, b.signature) if a.signature and b.signature else None
    exact = a.pixel_digest is not None and a.pixel_digest == b.pixel_digest
    return Measured(distance, alike, exact)


def pairs(
    encoded: Sequence[Encoded], people: Sequence[str], same: Sequence[frozenset[str]] = ()
) -> Pairs:
    """The pairs among the photos of `people`: genuine (two photographs of one person),
    impostor (two people) and copies (a photo and a copy of it, or two versions of one
    photograph)."""
    chosen = set(people)
    originals = [e for e in encoded if e.kind is None and e.template and e.identity in chosen]
    genuine: list[Measured] = []
    names: list[tuple[str, str]] = []
    impostor: list[float] = []
    found: list[Measured] = []
    for a, b in combinations(originals, 2):
        assert a.template is not None
        assert b.template is not None
        pair = _measure(a.template, b.template)
        if a.identity != b.identity:
            impostor.append(pair.distance)
        elif pair.exact or any(a.name in g and b.name in g for g in same):
            found.append(pair)
        else:
            genuine.append(pair)
            names.append((a.name, b.name))
    by_name = {e.name: e.template for e in originals}
    unusable = 0
    for copy in encoded:
        original = by_name.get(copy.name)
        if copy.kind is None or original is None:
            continue
        if copy.template is None:
            unusable += 1  # the engine refuses the copy itself (no face, too small)
        else:
            found.append(_measure(original, copy.template))
    return Pairs(genuine, names, impostor, found, unusable)


def run(
    folder: Path,
    config: EngineConfig,
    out: TextIO,
    share: float = 0.4,
    seed: int = 0,
    jobs: int = 1,
    margins: Margins | None = None,
) -> tuple[MatchZones, ReplayZones, Assessment]:
    """Split, encode, fit on the tuning set, report on the held-out set (and the configured
    zones on every photo); returns the fitted zones and the held-out assessment."""
    margins = margins or Margins()
    identities = photos_in(folder)
    chosen = split(identities, share, seed)
    same = same_photographs(folder)
    encoded = encode_all(folder, config, jobs)
    tuning = pairs(encoded, chosen.tuning, same)
    held = pairs(encoded, chosen.held_out, same)
    everything = pairs(encoded, list(identities), same)
    match = fit_match([p.distance for p in tuning.genuine], tuning.impostor, margins)
    replay = fit_replay(tuning.genuine, tuning.copies, margins)
    held_out = assess(match, replay, held.genuine, held.impostor, held.copies)
    write = out.write
    write(f"identities {len(identities)} (seed {seed}, held-out share {share:g})\n")
    write(f"  tuning:   {', '.join(chosen.tuning)}\n")
    write(f"  held out: {', '.join(chosen.held_out)}\n")
    refused = [e for e in encoded if e.kind is None and e.template is None]
    if refused:
        write(f"photos the engine refused (left out): {_names(refused)}\n")
    kinds = ", ".join(KINDS)
    write(f"copies of every photo: {kinds}\n\n")
    _distributions(tuning, "tuning", write)
    write(
        f"\nfitted on the tuning set (margins: match {margins.match_accept:g} / "
        f"{margins.match_refuse:g}, replay distance {margins.replay_distance:g}, similarity "
        f"{margins.replay_similarity:g}):\n"
        f"  match:  ACCEPT <= {match.accept_max:.2f}, REFUSE >= {match.refuse_min:.2f}\n"
        f"  replay: REFUSE distance <= {replay.refuse_max_distance:.2f} and similarity >= "
        f"{replay.refuse_min_similarity:.2f}; REVIEW distance <= "
        f"{replay.review_max_distance:.2f} or similarity >= {replay.review_min_similarity:.2f}\n"
        f"  (FACE_MATCH_THRESHOLD={match.accept_max:.2f} FACE_MATCH_REFUSE_MIN="
        f"{match.refuse_min:.2f} FACE_REPLAY_REFUSE_MAX_DISTANCE="
        f"{replay.refuse_max_distance:.2f} FACE_REPLAY_REFUSE_MIN_SIMILARITY="
        f"{replay.refuse_min_similarity:.2f} FACE_REPLAY_MAX_DISTANCE="
        f"{replay.review_max_distance:.2f} FACE_REPLAY_MIN_SIMILARITY="
        f"{replay.review_min_similarity:.2f})\n\n"
    )
    configured_match, configured_replay = match_zones(), replay_zones()
    columns = {
        "tuning (fitted)": assess(match, replay, tuning.genuine, tuning.impostor, tuning.copies),
        "held out (fitted)": held_out,
        "all (configured)": assess(
            configured_match,
            configured_replay,
            everything.genuine,
            everything.impostor,
            everything.copies,
        ),
    }
    _table(
        columns,
        {"tuning (fitted)": tuning, "held out (fitted)": held, "all (configured)": everything},
        write,
    )
    _genuine_outliers(match, replay, held, write)
    return match, replay, held_out


def _names(encoded: Sequence[Encoded]) -> str:
    return ", ".join(f"{e.name} ({e.error})" for e in encoded)


def _range(values: Sequence[float]) -> str:
    return f"{min(values):.3f}-{max(values):.3f}" if values else "none"


def _distributions(found: Pairs, label: str, write: object) -> None:
    assert callable(write)
    g_dist = [p.distance for p in found.genuine]
    g_sim = [p.similarity for p in found.genuine if p.similarity is not None]
    c_dist = [p.distance for p in found.copies if not p.exact]
    c_sim = [p.similarity for p in found.copies if p.similarity is not None and not p.exact]
    write(
        f"{label}: genuine pairs {len(g_dist)} (distance {_range(g_dist)}, similarity "
        f"{_range(g_sim)}), impostor pairs {len(found.impostor)} (distance from "
        f"{min(found.impostor, default=float('nan')):.3f}), copies {len(found.copies)} "
        f"(distance {_range(c_dist)}, similarity {_range(c_sim)})\n"
    )


def _table(columns: dict[str, Assessment], found: dict[str, Pairs], write: object) -> None:
    assert callable(write)
    names = list(columns)
    write(f"{'':52s}" + "".join(f"{n:>20s}" for n in names) + "\n")

    def row(label: str, values: list[str]) -> None:
        write(f"{label:52s}" + "".join(f"{v:>20s}" for v in values) + "\n")

    def of(count: int, total: int) -> str:
        return f"{count} / {total}"

    a = [columns[n] for n in names]
    row(
        "genuine pairs refused automatically (must be 0)",
        [of(x.genuine_refused, x.genuine) for x in a],
    )
    row("  by the match (another person)", [of(x.genuine_refused_match, x.genuine) for x in a])
    row("  by the replay test (a copy)", [of(x.genuine_refused_replay, x.genuine) for x in a])
    row(
        "impostor pairs accepted automatically (must be 0)",
        [of(x.impostor_accepted, x.impostor) for x in a],
    )
    row("impostor pairs sent to review", [of(x.impostor_review, x.impostor) for x in a])
    row("copies refused automatically", [of(x.copies_refused, x.copies) for x in a])
    row("copies sent to review", [of(x.copies_review, x.copies) for x in a])
    row("copies accepted as new photos", [of(x.copies_accepted, x.copies) for x in a])
    row(
        "copies the engine refuses itself (no face...)",
        [str(found[n].copies_unusable) for n in names],
    )
    row(
        "genuine pairs sent to review (share)",
        [f"{x.genuine_review} ({100 * x.genuine_review_share:.1f} %)" for x in a],
    )


def _genuine_outliers(match: MatchZones, replay: ReplayZones, held: Pairs, write: object) -> None:
    assert callable(write)
    worst = sorted(
        zip(held.genuine, held.genuine_names, strict=True), key=lambda x: -x[0].distance
    )[:3]
    write("\nheld-out genuine pairs farthest apart: ")
    write("; ".join(f"{a} / {b}: {p.distance:.3f}" for p, (a, b) in worst) + "\n")
    alike = sorted(
        zip(held.genuine, held.genuine_names, strict=True),
        key=lambda x: -(x[0].similarity if x[0].similarity is not None else -1.0),
    )[:3]
    write("held-out genuine pairs most alike: ")
    write(
        "; ".join(f"{a} / {b}: {p.distance:.3f}, {p.similarity or 0:.3f}" for p, (a, b) in alike)
        + "\n"
    )
