"""Benchmarks of the face engine (part of `make bench`; `make bench SUITES=face` alone).

1. Per stage (load, downscale, detect, encode, compare) at 480, 720, 1080 and 3000 px photos,
   p50/p95, and beside it the plain face_recognition calls doing the same work on the same
   photo in the same run (load_image_file, a Pillow resize to the same size, face_locations,
   face_encodings, face_distance): engine total / plain total is the engine's overhead.
2. The whole S3 event → decision path (the face function's handler, under moto, in-process):
   an enrolment and a link check per run, beside the plain calls on the same photo.
3. Import (cold-start) time of the face function and peak memory of a process that imports it
   and decides a 3000 px photo, each in a fresh interpreter; then the cold start as Lambda pays
   it (a fresh interpreter loads the handler from its file and decides its first check, against
   a moto server in this process) and the function's own peak RSS and busy threads for a check,
   a 16 MP check and an enrolment that searches a 100k-template index.
4. Near-duplicates: template distance and signature similarity of altered copies (re-encoded,
   resized, cropped, rotated, mirrored, printed, on a screen) against new photos of the same
   person: the figures the replay thresholds come from.
5. 1:N search over 10k / 100k / 1M synthetic templates: numpy brute force from a memory-mapped
   base (build, open, search p50/p95, memory), and when installed, faiss and hnswlib beside it
   (FACE_BENCH_ANN_1M=1 adds their 1M case, which takes minutes to build).

Runs in about a minute on 2 cores. FACE_BENCH_QUICK=1 keeps to the small sizes.
"""

from __future__ import annotations

import gc
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SIZES = (480, 720, 1080, 3000)
QUICK = os.environ.get("FACE_BENCH_QUICK") == "1"
STAGE_RUNS = 5 if QUICK else 11
PATH_RUNS = 3 if QUICK else 8
INDEX_SIZES = (10_000, 100_000) if QUICK else (10_000, 100_000, 1_000_000)
SEARCHES = 50


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def ms(values: list[float]) -> str:
    return f"{1000 * statistics.median(values):7.1f} / {1000 * pct(values, 95):7.1f}"


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def photo_at(side: int) -> bytes:
    """obama3.jpg (1434x2333) resized so its longer side is `side` px, as a quality-92 JPEG."""
    from PIL import Image

    from tests import photos

    image = photos.open_rgb("obama3.jpg")
    scale = side / max(image.size)
    size = (round(image.width * scale), round(image.height * scale))
    out = io.BytesIO()
    image.resize(size, Image.Resampling.LANCZOS).save(out, "JPEG", quality=92)
    return out.getvalue()


# ------------------------------------------------------------------ 1. stages


def engine_stages(data: bytes, config: Any) -> dict[str, float]:
    from enforcement.face import engine, images

    times: dict[str, float] = {}
    started = time.perf_counter()
    decoded = images.read(
        data, max_bytes=config.max_bytes, max_pixels=config.max_pixels, max_side=config.max_side
    )
    times["load"] = time.perf_counter() - started
    times["downscale"], image = timed(lambda: images.downscale(decoded))
    times["detect"], faces = timed(lambda: engine.people(engine.detect(image, config)))
    times["encode"], template = timed(lambda: engine._descriptor(image, faces[0], config))
    times["compare"], _ = timed(lambda: engine.compare(template, template, config.threshold))
    times["total"] = sum(times.values())
    return times


def plain_stages(data: bytes, max_side: int) -> dict[str, float]:
    """The same work with face_recognition's own calls, as an application would write it."""
    from enforcement.face import models
    from PIL import Image

    face_recognition = models.face_recognition()  # a bare import allows truncated images

    times: dict[str, float] = {}
    times["load"], pixels = timed(lambda: face_recognition.load_image_file(io.BytesIO(data)))

    def reduce() -> Any:
        height, width = pixels.shape[:2]
        scale = min(1.0, max_side / max(height, width))
        size = (round(width * scale), round(height * scale))
        return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.LANCZOS))

    times["downscale"], image = timed(reduce)
    times["detect"], boxes = timed(lambda: face_recognition.face_locations(image, 1, "hog"))
    times["encode"], vectors = timed(lambda: face_recognition.face_encodings(image, boxes[:1]))
    times["compare"], _ = timed(lambda: face_recognition.face_distance([vectors[0]], vectors[0]))
    times["total"] = sum(times.values())
    return times


def stages() -> list[tuple[int, float]]:
    from enforcement.face import engine

    config = engine.EngineConfig()
    engine.preload()
    ratios = []
    print("\n## Per stage, p50 / p95 in ms (engine | plain face_recognition)")
    print(f"{'photo':>8} {'stage':>10} {'engine':>17} {'plain':>17}")
    for side in SIZES:
        data = photo_at(side)
        ours: dict[str, list[float]] = {}
        plain: dict[str, list[float]] = {}
        engine_stages(data, config)  # warm-up
        plain_stages(data, config.max_side)
        for _ in range(STAGE_RUNS):  # interleaved, so both see the same machine state
            for name, value in engine_stages(data, config).items():
                ours.setdefault(name, []).append(value)
            for name, value in plain_stages(data, config.max_side).items():
                plain.setdefault(name, []).append(value)
        for name in ours:
            print(f"{side:>6}px {name:>10} {ms(ours[name])} {ms(plain[name])}")
        ratio = statistics.median(ours["total"]) / statistics.median(plain["total"])
        ratios.append((side, ratio))
        print(f"{side:>6}px {'overhead':>10} engine/plain = {ratio:.3f}")
    return ratios


# ------------------------------------------------------------------ 2. S3 event → decision


def event_path() -> None:
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    from moto import mock_aws

    from scripts.check_face_image import ENVIRONMENT, FaceWorld
    from tests import photos

    os.environ.update(ENVIRONMENT, POWERTOOLS_METRICS_DISABLED="true")
    enrol_photo = photos.photo_bytes("obama.jpg")
    # a new file per check (a photo's exact bytes are refused once used, by any crew member)
    check_photos = [photos.scaled("obama2.jpg", 1.0 - run / 100) for run in range(PATH_RUNS + 1)]
    enrolments: list[float] = []
    checks: list[float] = []
    plain: list[float] = []
    outcomes: set[str] = set()
    with mock_aws():
        world = FaceWorld()
        handler = _face_handler()
        world.enrol("warm-up", enrol_photo, handler)
        for run in range(PATH_RUNS):
            crew_id = f"bench-{run}"
            seconds, record = timed(lambda c=crew_id: world.enrol(c, enrol_photo, handler))
            enrolments.append(seconds)
            outcomes.add(record["outcome"])
            photo = check_photos[run]
            seconds, record = timed(lambda c=crew_id, p=photo: world.check(c, p, handler))
            checks.append(seconds)
            outcomes.add(record["outcome"])
            plain.append(plain_stages(photo, 800)["total"])
    print("\n## S3 event -> decision (handler in-process, moto S3 + DynamoDB), p50 / p95 in ms")
    print(f"enrolment (obama.jpg 910x1137)      {ms(enrolments)}")
    print(f"link check (obama2.jpg 626x1200)    {ms(checks)}   outcomes {sorted(outcomes)}")
    assert outcomes == {"enrolled", "verified"}, outcomes
    print(f"plain face_recognition, same photo  {ms(plain)}")
    print(
        f"path / plain: enrolment {statistics.median(enrolments) / statistics.median(plain):.2f}"
        f", check {statistics.median(checks) / statistics.median(plain):.2f}"
    )


def _face_handler() -> Callable[..., Any]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("face_app", ROOT / "functions/face/app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handler: Callable[..., Any] = module.lambda_handler
    return handler


# ------------------------------------------------------------------ 3. cold start and memory

COLD_IMPORT = """
import sys, time
sys.path.insert(0, sys.argv[1])
started = time.perf_counter()
import app
print(time.perf_counter() - started)
"""

# VmHWM (peak RSS) from /proc: ru_maxrss would carry the parent's peak over fork + exec
PEAK = """
import os
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
from moto import mock_aws
from scripts.check_face_image import ENVIRONMENT, FaceWorld
os.environ.update(ENVIRONMENT, POWERTOOLS_METRICS_DISABLED="true")
from benchmarks.face import _face_handler, peak_mb, photo_at
big, other = photo_at(3000), photo_at(1080)
with mock_aws():
    world = FaceWorld()
    base = peak_mb()
    handler = _face_handler()
    after_import = peak_mb()
    assert world.enrol("crew-big", big, handler)["outcome"] == "enrolled"
    assert world.check("crew-big", other, handler)["outcome"] == "failed"  # a replay
print(base, after_import, peak_mb())
"""

ENGINE_PEAK = """
from enforcement.face import engine
from benchmarks.face import peak_mb, photo_at
data = photo_at(3000)
engine.preload()
loaded = peak_mb()
engine.encode(data, engine.EngineConfig())
print(loaded, peak_mb())
"""


def peak_mb() -> float:
    """This process's peak resident set so far (VmHWM), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cold_start_and_memory() -> None:
    env = {**os.environ, "AWS_DEFAULT_REGION": "cn-north-1", "POWERTOOLS_LOG_LEVEL": "WARNING"}
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", COLD_IMPORT, str(ROOT / "functions" / "face")],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        runs.append(float(out.stdout.strip().splitlines()[-1]))
    print("\n## Face function: cold start and memory")
    print(
        "import app (dlib models loaded), median of 3 fresh interpreters: "
        f"{statistics.median(runs):.2f} s"
    )
    out = subprocess.run(
        [sys.executable, "-c", PEAK], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )
    base, after_import, peak = (float(v) for v in out.stdout.split()[-3:])
    print(
        f"peak RSS of the handler under moto: {base:.0f} MB for moto and the test set-up, "
        f"{after_import:.0f} MB after importing the handler, {peak:.0f} MB after a 3000 px "
        "enrolment and a check"
    )
    out = subprocess.run(
        [sys.executable, "-c", ENGINE_PEAK], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded, peak = (float(v) for v in out.stdout.split()[-2:])
    print(
        f"peak RSS of the engine alone: {loaded:.0f} MB with the models loaded, {peak:.0f} MB "
        "after one 3000 px photo"
    )


#: A fresh interpreter, as a Lambda init: the handler module loaded from its file (timed), then
#: one invocation (timed) with the event on stdin, against a moto server in the parent. Also its
#: peak RSS (VmHWM) after the import and at the end, and the CPU ticks of each of its threads
#: during the invocation (is more than one core used?).
FRESH_INVOCATION = """
import json, os, sys, time
started = time.perf_counter()
import importlib.util
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
imported = time.perf_counter()
cpu_import = time.process_time()

def peak():
    with open("/proc/self/status") as status:
        return [int(l.split()[1]) / 1024 for l in status if l.startswith("VmHWM:")][0]

def ticks():
    out = {}
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        out[task] = int(fields[11]) + int(fields[12])
    return out

class Context:
    function_name = "FaceFunction"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws-cn:lambda:cn-north-1:123456789012:function:FaceFunction"
    memory_limit_in_mb = 1769
    aws_request_id = "fresh"
    log_group_name = "/aws/lambda/FaceFunction"
    log_stream_name = "local"
    def get_remaining_time_in_millis(self):
        return 60_000

event = json.loads(sys.stdin.read())
peak_import, before = peak(), ticks()
result = module.lambda_handler(event, Context())
done = time.perf_counter()
after = ticks()
busy = sorted((after[t] - before.get(t, 0) for t in after), reverse=True)
print(json.dumps({"import": imported - started, "first": done - imported,
                  "cpu_import": cpu_import, "cpu_first": time.process_time() - cpu_import,
                  "peak_import_mb": peak_import, "peak_mb": peak(), "thread_ticks": busy,
                  "outcome": result["records"][0]["outcome"]}))
"""

COLD_RUNS = 3 if QUICK else 4


def _forget_clients() -> None:
    """Forget the settings, the process's clients and every pynamodb model's own connection:
    the next use makes them for the endpoint in the environment now."""
    from enforcement import clients
    from pynamodb.models import Model

    clients.reset()
    classes = [Model]
    while classes:
        for subclass in classes.pop().__subclasses__():
            subclass._connection = None
            classes.append(subclass)


class ServerWorld:
    """A moto server in this process with the face function's tables and bucket (FaceWorld),
    this process's AWS clients pointed at it, and a handler of this checkout to set data up
    with. `prepared(call)` gives the S3 event `call` (a FaceWorld method taking a handler) would
    send, without deciding it; `fresh(event, root)` has a fresh interpreter decide it."""

    def __enter__(self) -> ServerWorld:
        import logging
        import socket

        from moto.server import ThreadedMotoServer

        from scripts.check_face_image import ENVIRONMENT, FaceWorld

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.server.start()
        self.env = {
            **os.environ,
            **ENVIRONMENT,
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "NO_PROXY": "127.0.0.1,localhost",
        }
        self.saved = dict(os.environ)
        os.environ.update(self.env)
        _forget_clients()  # those made earlier in this process knew no endpoint
        self.world = FaceWorld()
        self.handler = _face_handler()
        return self

    def __exit__(self, *_exc: object) -> None:
        import urllib.request

        # moto's state is the process's: empty it for the next server or mock_aws
        url = f"{self.env['AWS_ENDPOINT_URL']}/moto-api/reset"  # the local server, http
        urllib.request.urlopen(urllib.request.Request(url, b""), timeout=10).close()  # noqa: S310
        self.server.stop()
        os.environ.clear()
        os.environ.update(self.saved)
        _forget_clients()

    def prepared(self, call: Callable[[Callable[..., Any]], Any]) -> dict[str, Any]:
        events: list[dict[str, Any]] = []

        def keep(event: dict[str, Any], _context: Any) -> dict[str, Any]:
            events.append(event)
            return {"records": [{}]}

        call(keep)
        return events[-1]

    def fresh(self, event: dict[str, Any], root: Path = ROOT) -> dict[str, Any]:
        import json

        child = subprocess.run(
            [sys.executable, "-c", FRESH_INVOCATION, str(root / "functions/face/app.py")],
            input=json.dumps(event),
            capture_output=True,
            text=True,
            check=True,
            env={**self.env, "PYTHONPATH": str(root / "layers/common")},
        )
        result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
        return result


def cold_start_runs(runs: int = COLD_RUNS, roots: tuple[Path, ...] = (ROOT,)) -> list[list[dict]]:
    """Cold starts of the face function: one crew member enrolled from John_Savage's first
    capture, then per run a check with another capture of him (dlib's johns/, 150 px crops,
    the check-in benchmark's photos) decided by a fresh interpreter (`FRESH_INVOCATION`).

    `roots`: checkouts whose handler and shared package (functions/face/app.py,
    layers/common) are compared, taking turns in each run (e.g. a copy of the code before a
    change beside this one); one list of runs per root."""
    from benchmarks.checkin import CAPTURES, capture

    with ServerWorld() as here:
        crew_id = "cold-start"
        assert here.world.enrol(crew_id, capture(0), here.handler)["outcome"] == "enrolled"
        out: list[list[dict]] = [[] for _ in roots]
        photos = iter(range(1, len(CAPTURES)))
        for _run in range(runs):
            for n, root in enumerate(roots):
                photo = capture(next(photos))
                event = here.prepared(lambda h, p=photo: here.world.check(crew_id, p, h))
                out[n].append(here.fresh(event, root))
        return out


def cold_start() -> None:
    runs = cold_start_runs()[0]
    assert {r["outcome"] for r in runs} == {"verified"}, runs
    total = [r["import"] + r["first"] for r in runs]
    print(f"\n## Face function cold start, median of {len(runs)} fresh interpreters (moto server)")
    print(
        f"import {statistics.median(r['import'] for r in runs):.2f} s + first check "
        f"{statistics.median(r['first'] for r in runs):.2f} s = {statistics.median(total):.2f} s "
        f"(runs {', '.join(f'{t:.2f}' for t in total)}); CPU "
        f"{statistics.median(r['cpu_import'] for r in runs):.2f} s + "
        f"{statistics.median(r['cpu_first'] for r in runs):.2f} s"
    )


#: Templates in the agency's 1:N index when the memory of an enrolment is measured.
MEMORY_INDEX = 10_000 if QUICK else 100_000


def memory_runs() -> dict[str, dict[str, Any]]:
    """Peak RSS and threads of the face function alone (a fresh interpreter; moto, the data
    and this benchmark in the parent), for: a check with a check-in photo (150 px crop); an
    enrolment with a 3000 px photo that searches an agency index of MEMORY_INDEX templates; a
    check with a photo of nearly FACE_MAX_PIXELS (16 MP), the largest accepted."""
    from enforcement import clock
    from enforcement.checkin.enrolment import index_name
    from enforcement.checkin.models import CrewMember
    from enforcement.face.index import FaceIndex, IndexStore
    from enforcement.models import Jurisdiction
    from PIL import Image

    from benchmarks.checkin import capture
    from tests import photos

    largest = io.BytesIO()
    image = photos.open_rgb("obama2.jpg")  # 626x1200, up to 2880x5520 (15.9 MP)
    image.resize((2880, 5520), Image.Resampling.LANCZOS).save(largest, "JPEG", quality=90)
    out: dict[str, dict[str, Any]] = {}
    with ServerWorld() as here:
        now = clock.iso()
        Jurisdiction("mem-waters", agency="mem", registered_at=now, registered_by="bench").save()
        ids = [f"crew-{i:07d}" for i in range(MEMORY_INDEX)]
        IndexStore(index_name("mem")).publish(FaceIndex.from_matrix(ids, synthetic(MEMORY_INDEX)))
        for crew_id in ("mem-check", "mem-enrol"):
            CrewMember(
                crew_id,
                name=crew_id,
                face_status="pending",
                created_at=clock.iso(),
                jurisdiction="mem-waters",
            ).save()
        here.world.enrol("mem-check", capture(0), here.handler)
        cases = {
            "check, 150 px crop": lambda h: here.world.check("mem-check", capture(1), h),
            f"enrolment, 3000 px, {MEMORY_INDEX // 1000}k-template index": lambda h: (
                here.world.enrol("mem-enrol", photo_at(3000), h)
            ),
            "check, 2880x5520 (15.9 MP) JPEG": lambda h: here.world.check(
                "mem-enrol", largest.getvalue(), h
            ),
        }
        for name, call in cases.items():
            out[name] = here.fresh(here.prepared(call))
    return out


def memory() -> None:
    print("\n## Face function memory, each case in a fresh interpreter (moto in the parent)")
    for name, run in memory_runs().items():
        busy = [t for t in run["thread_ticks"] if t > 0]
        print(
            f"{name:45s} peak RSS {run['peak_import_mb']:4.0f} MB after init, "
            f"{run['peak_mb']:4.0f} MB at the end; threads with CPU time: {len(busy)} "
            f"(ticks {busy}); {run['outcome']}"
        )


# ------------------------------------------------------------------ 4. near-duplicates


def near_duplicates() -> None:
    from enforcement.face import engine, liveness
    from enforcement.face.zones import ReplayZones

    from tests import photos

    config = engine.EngineConfig()
    print("\n## Near-duplicates: template distance / signature similarity")
    rows: dict[str, list[tuple[float, float]]] = {}
    for name in ("obama.jpg", "obama2.jpg", "biden.jpg"):
        original = engine.encode(photos.photo_bytes(name), config)
        for kind, data in photos.copies(name).items():
            copy = engine.encode(data, config)
            assert original.signature is not None
            assert copy.signature is not None
            distance = engine.compare(original, copy, 1.0).distance
            rows.setdefault(kind, []).append(
                (distance, liveness.similarity(original.signature, copy.signature))
            )
    for kind, values in rows.items():
        distances = ", ".join(f"{d:.2f}" for d, _ in values)
        similarities = ", ".join(f"{s:.2f}" for _, s in values)
        print(f"copy {kind:<14} distance {distances:<18} similarity {similarities}")
    new = [("obama.jpg", "obama2.jpg"), ("obama.jpg", "obama3.jpg"), ("obama2.jpg", "obama3.jpg")]
    for a, b in new:
        ta = engine.encode(photos.photo_bytes(a), config)
        tb = engine.encode(photos.photo_bytes(b), config)
        assert ta.signature is not None
        assert tb.signature is not None
        print(
            f"new photo {a} / {b}: distance {engine.compare(ta, tb, 1.0).distance:.2f}, "
            f"similarity {liveness.similarity(ta.signature, tb.signature):.2f}"
        )
    lines = ReplayZones()
    print(
        f"zones: review when distance <= {lines.review_max_distance} or similarity >= "
        f"{lines.review_min_similarity}; refuse when distance <= {lines.refuse_max_distance} "
        f"and similarity >= {lines.refuse_min_similarity}"
    )


# ------------------------------------------------------------------ 5. 1:N


def synthetic(count: int, seed: int = 7) -> np.ndarray:
    """Templates shaped like dlib's (norm ~1.4 around a common centre, other people ~0.8 apart),
    generated in chunks as float32."""
    rng = np.random.default_rng(seed)
    centre = rng.normal(0, 1, 128)
    centre = (centre / np.linalg.norm(centre) * 1.32).astype(np.float32)
    out = np.empty((count, 128), dtype=np.float32)
    for start in range(0, count, 100_000):
        stop = min(count, start + 100_000)
        out[start:stop] = centre + rng.normal(0, 0.05, (stop - start, 128)).astype(np.float32)
    return out


def queries(database: np.ndarray, count: int, seed: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """New photos of enrolled people: rows plus noise at a genuine-pair distance (~0.35)."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(database), count, replace=False)
    noise = rng.normal(0, 0.35 / np.sqrt(128), (count, 128)).astype(np.float32)
    return database[rows] + noise, rows


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def one_to_n() -> None:
    from enforcement.face.index import FaceIndex

    print("\n## 1:N search, numpy brute force over a memory-mapped base")
    print(
        f"{'templates':>10} {'build+save':>11} {'open':>8} {'search p50/p95 ms':>18} "
        f"{'top-1 right':>11} {'files':>8} {'RSS +MB':>8}"
    )
    for count in INDEX_SIZES:
        database = synthetic(count)
        probe, rows = queries(database, SEARCHES)
        ids = [f"crew#{i:08d}" for i in range(count)]
        with tempfile.TemporaryDirectory(prefix="face-index-bench-") as tmp:
            started = time.perf_counter()
            FaceIndex.from_matrix(ids, database).save(Path(tmp))
            built = time.perf_counter() - started
            del database
            gc.collect()
            before = rss_mb()
            opened, index = timed(lambda t=tmp: FaceIndex.open(Path(t)))
            times, right = [], 0
            for query, row in zip(probe, rows, strict=True):
                seconds, hits = timed(lambda i=index, q=query: i.search(q, 5))
                times.append(seconds)
                right += hits[0][0] == ids[row]
            grown = rss_mb() - before
            size = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 2**20
            print(
                f"{count:>10} {built:>10.2f}s {1000 * opened:>6.1f}ms {ms(times):>18} "
                f"{right:>6}/{SEARCHES} {size:>6.0f}MB {grown:>8.0f}"
            )
            del index
            gc.collect()
    ann()


def ann() -> None:
    """faiss and hnswlib on the same data, when importable (not in the project's venv)."""
    try:
        import faiss
    except ImportError:
        faiss = None
    try:
        import hnswlib
    except ImportError:
        hnswlib = None
    if faiss is None and hnswlib is None:
        print("(faiss / hnswlib not installed: their figures are in docs/benchmarks.md)")
        return
    sizes = list(INDEX_SIZES)
    if os.environ.get("FACE_BENCH_ANN_1M") != "1":
        sizes = [s for s in sizes if s < 1_000_000]
    print(
        f"\n{'library':>24} {'templates':>10} {'build s':>8} {'search p50/p95 ms':>18} "
        f"{'recall@1':>9}"
    )
    for count in sizes:
        database = synthetic(count)
        probe, _ = queries(database, SEARCHES)
        truth = [int(np.argmin(((database - q) ** 2).sum(axis=1))) for q in probe]
        candidates: list[tuple[str, Callable[[], Any], Callable[[Any, np.ndarray], int]]] = []
        if faiss is not None:
            faiss.omp_set_num_threads(os.cpu_count() or 1)

            def flat(data: np.ndarray = database) -> Any:
                index = faiss.IndexFlatL2(128)
                index.add(data)
                return index

            def hnsw(data: np.ndarray = database) -> Any:
                index = faiss.IndexHNSWFlat(128, 32)
                index.hnsw.efConstruction = 80
                index.add(data)
                index.hnsw.efSearch = 64
                return index

            def faiss_top(index: Any, q: np.ndarray) -> int:
                return int(index.search(q[None, :], 5)[1][0][0])

            candidates += [
                ("faiss IndexFlatL2", flat, faiss_top),
                ("faiss HNSW32 ef64", hnsw, faiss_top),
            ]
        if hnswlib is not None:

            def hnswlib_build(data: np.ndarray = database) -> Any:
                index = hnswlib.Index(space="l2", dim=128)
                index.init_index(max_elements=len(data), ef_construction=100, M=16)
                index.add_items(data, num_threads=os.cpu_count() or 1)
                index.set_ef(64)
                return index

            def hnswlib_top(index: Any, q: np.ndarray) -> int:
                return int(index.knn_query(q, k=5)[0][0][0])

            candidates.append(("hnswlib M16 ef64", hnswlib_build, hnswlib_top))
        for name, build, top in candidates:
            built, index = timed(build)
            times, right = [], 0
            for query, expected in zip(probe, truth, strict=True):
                seconds, found = timed(lambda i=index, q=query, t=top: t(i, q))
                times.append(seconds)
                right += found == expected
            print(f"{name:>24} {count:>10} {built:>8.1f} {ms(times):>18} {right / SEARCHES:>9.2f}")
            del index
            gc.collect()


def main() -> int:
    started = time.perf_counter()
    ratios = stages()
    event_path()
    cold_start_and_memory()
    cold_start()
    memory()
    near_duplicates()
    one_to_n()
    worst = max(ratio for _, ratio in ratios)
    print(f"\nengine overhead (worst size): {worst:.3f} (target <= 1.15)")
    print(f"face suite: {time.perf_counter() - started:.0f} s; peak RSS {peak_mb():.0f} MB")
    return 0 if worst <= 1.15 else 1


if __name__ == "__main__":
    sys.exit(main())
