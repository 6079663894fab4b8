"""Identifying a driver by face: how often the right driver comes first, and how often a person
who is not enrolled is marked a match, on the photographs the tests may use.

    python -m benchmarks.ticketing_faces

The photos: .cache/photos/identities/ (scripts/fetch_photos.py: 14 people, 86 photos; dlib's
johns and collage, Obama, single photos), encoded once by the engine as deployed for drivers
(`face/configured.driver_engine_config`: HOG at 800 px, not upsampled). The match line: the
ACCEPT line of the match zones (`face/configured.match_zones().accept_max`, Settings
`face_match_threshold`, checked for drivers' templates by `python -m enforcement.face.calibrate
.cache/photos/identities --zones --drivers`: docs/benchmarks.md,
"Face decisions"), and candidates marked by the search's own rule (`ticketing/face_rules`).

Two protocols, each over every choice of reference photo:

- **Enrolled** (closed set): each person is enrolled with ONE photo (as a licence photo is),
  every person at once (a city of 14 drivers); every other photo of an enrolled person with
  several is a probe. Counted: the right driver first (identification rate, top-1), first and
  marked `match`, within the 5 candidates.
- **Not enrolled** (open set): the probe's own person is left out of the index, the others are
  enrolled; a search that marks any candidate `match` is a false match (the false-match rate
  per search, FPIR).

Versions of one photograph (same-photographs.txt) are never a probe of each other: they would
measure a copy, not a new photo. The searches are those of `enforcement.face.index.FaceIndex`,
exact; a city of millions is part of `make bench SUITES=ticketing` (its speed), not of this.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from enforcement.face.calibrate import Photo, encode_folder
from enforcement.face.configured import driver_engine_config, match_zones
from enforcement.face.flat_index import FaceIndex
from enforcement.face.zone_calibration import same_photographs
from enforcement.ticketing import face_rules

from tests.photos import identities_folder


@dataclass
class Tally:
    searches: int = 0
    first: int = 0
    first_and_match: int = 0
    in_top5: int = 0
    false_match: int = 0

    def rate(self, count: int) -> str:
        return f"{count}/{self.searches} = {count / self.searches:.3f}" if self.searches else "-"


def _key(photo: Photo) -> str:
    return f"{photo.identity}/{photo.path.name}"


def measure(
    photos: Sequence[Photo], copies: Sequence[frozenset[str]], line: float
) -> dict[str, Any]:
    """The two protocols of the module's docstring on encoded `photos`."""
    usable = [p for p in photos if p.template is not None]
    people: dict[str, list[Photo]] = {}
    for p in usable:
        people.setdefault(p.identity, []).append(p)
    copy_of = {name: group for group in copies for name in group}
    enrolled, open_set = Tally(), Tally()
    # each round enrols photo number `r` of every person (the last one for those with fewer)
    rounds = max(len(v) for v in people.values())
    for r in range(rounds):
        gallery = {who: shots[min(r, len(shots) - 1)] for who, shots in people.items()}
        index = FaceIndex.build((who, shot.template) for who, shot in gallery.items())
        per_person = {
            who: FaceIndex.build((o, s.template) for o, s in gallery.items() if o != who)
            for who in people
        }
        for who, shots in people.items():
            reference = gallery[who]
            if r >= len(shots):
                continue  # this person's photos were all the reference once already
            for probe in shots:
                if probe is reference or _key(probe) in copy_of.get(_key(reference), ()):
                    continue
                found = face_rules.candidates(
                    index.search(probe.template, face_rules.SEARCH_K), line
                )
                enrolled.searches += 1
                enrolled.first += found[0].licence_number == who
                enrolled.first_and_match += found[0].licence_number == who and found[0].match
                enrolled.in_top5 += any(c.licence_number == who for c in found)
                enrolled.false_match += any(c.match and c.licence_number != who for c in found)
            for probe in shots:  # the person not enrolled: any match is a false one
                if r > 0 and probe is reference:
                    continue  # each probe once per round of its own person
                outsiders = per_person[who]
                found = face_rules.candidates(
                    outsiders.search(probe.template, face_rules.SEARCH_K), line
                )
                open_set.searches += 1
                open_set.false_match += any(c.match for c in found)
    return {
        "people": len(people),
        "photos": len(usable),
        "refused": [(p.identity, p.path.name, p.error) for p in photos if p.template is None],
        "line": line,
        "enrolled": enrolled,
        "open_set": open_set,
    }


def handler_path(searches: int = 5) -> dict[str, Any]:
    """The driver handler's path under moto, in this process: AWS calls and DynamoDB units per
    search (photo landed -> candidates stored), and its CPU time beside the engine's encoding.
    Three drivers enrolled (real photos); each search a second photo of one of them."""
    import os
    from urllib.parse import unquote_plus

    from enforcement import clients, jurisdictions
    from enforcement.face import engine
    from moto import mock_aws

    from benchmarks.metering import AwsMeter
    from scripts.check_face_image import ENVIRONMENT, FaceWorld
    from tests.photos import PHOTOS_DIR

    johns = PHOTOS_DIR / "johns"
    enrolled = ("John_Savage/000274_01099061.jpg", "John_Simm/000300_00470148.jpg")
    probe = (johns / "John_Savage/000290_01099090.jpg").read_bytes()
    for name in [n for n in os.environ if n.endswith("_TABLE") or n.startswith("AWS_ENDPOINT")]:
        del os.environ[name]
    os.environ.pop("UPLOAD_BUCKET", None)
    os.environ.update(ENVIRONMENT)
    clients.reset()
    from enforcement.ticketing.face_uploads import process

    def handle(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        record = event["Records"][0]["s3"]["object"]
        return {"records": [process(unquote_plus(record["key"]), record["versionId"])]}

    meter = AwsMeter()
    usages: list[Any] = []
    cpu: list[float] = []

    def measured(event: dict[str, Any], context: Any) -> dict[str, Any]:
        started = time.process_time()
        with meter.measure() as usage:
            answer = handle(event, context)
        cpu.append(time.process_time() - started)
        usages.append(usage)
        return answer

    encode_cpu = []
    with mock_aws():
        world = FaceWorld()
        jurisdictions.register("admin:bench", "traffic-police", "yantai")
        for n, photo in enumerate(enrolled):
            number = f"37060219850314{n:03d}1"
            world.enrol_driver("yantai", number, (johns / photo).read_bytes(), handle)
        world.search_driver("yantai", probe, handle)  # the city's index loaded by this process
        for _ in range(searches):
            _, result = world.search_driver("yantai", probe, measured)
            assert result["outcome"] == "searched", result
        for _ in range(searches):
            started = time.process_time()
            engine.encode(probe, driver_engine_config())
            encode_cpu.append(time.process_time() - started)
    calls: dict[str, float] = {}
    for usage in usages:
        for name, count in usage.calls.items():
            calls[name] = calls.get(name, 0) + count / searches
    return {
        "calls": dict(sorted(calls.items())),
        "read_units": sum(u.read_units for u in usages) / searches,
        "write_units": sum(u.write_units for u in usages) / searches,
        "cpu_ms": sorted(cpu)[len(cpu) // 2] * 1000,
        "encode_ms": sorted(encode_cpu)[len(encode_cpu) // 2] * 1000,
    }


def main() -> int:
    folder: Path = identities_folder()
    line = match_zones().accept_max
    started = time.process_time()
    photos = encode_folder(folder, driver_engine_config())
    encoded_s = time.process_time() - started
    figures = measure(photos, same_photographs(folder), line)
    enrolled: Tally = figures["enrolled"]
    open_set: Tally = figures["open_set"]
    print(
        f"driver face identification on {folder} ({figures['people']} people, "
        f"{figures['photos']} photos encoded in {encoded_s:.1f} s of CPU; refused "
        f"{figures['refused'] or 'none'})"
    )
    print(f"match line (ACCEPT, face_match_threshold): {line}")
    rows = [
        ("enrolled (closed set)", enrolled, "right driver first (top-1)", enrolled.first),
        ("", enrolled, "right driver first and marked match", enrolled.first_and_match),
        ("", enrolled, "right driver among the 5", enrolled.in_top5),
        ("", enrolled, "another driver marked match", enrolled.false_match),
        (
            "not enrolled (open set)",
            open_set,
            "someone marked match (false match)",
            open_set.false_match,
        ),
    ]
    print("| protocol | searches | measure | rate |")
    print("|---|---|---|---|")
    for name, tally, measure_name, count in rows:
        searches = tally.searches if name else ""
        print(f"| {name} | {searches} | {measure_name} | {tally.rate(count)} |")
    path = handler_path()
    print(
        "\ndriver handler, photo landed -> candidates stored, under moto (median of 5, CPU of "
        f"this process, moto's included): {path['cpu_ms']:.0f} ms; the engine's encoding alone "
        f"{path['encode_ms']:.0f} ms"
    )
    print(f"AWS calls per search: {path['calls']}")
    print(
        f"DynamoDB units per search: {path['read_units']:.1f} read, {path['write_units']:.1f} write"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
