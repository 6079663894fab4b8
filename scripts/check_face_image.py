"""Prove the face function's image without docker: its requirements resolve, and its handler,
laid out as in the image, answers a real S3 event for a real photo with a real decision.

What the Dockerfile does, done in a throwaway virtualenv (.cache/image-venv, reused while the
requirement files, the pins and the interpreter are unchanged: the key is their hash):

1. `pip install --only-binary=... -r layers/face_models/requirements.txt` from a copy that keeps
   the two files' relative layout (the nested `-r ../common/requirements.txt` resolves as in the
   image) (face_recognition itself is not installed: the engine calls dlib directly);
2. boto3 and moto, separately: the Lambda base image brings boto3, and moto stands in for AWS;
3. a temporary task root holding `enforcement/` and `app.py`; `models.prepare()` run from it
   (the unused 68-point model deleted, the HOG detector baked), then byte-compiled, as in the
   image.

Then, in that virtualenv, with only the task root on the path (not this repository), under
moto's `mock_aws`: tables and the upload bucket are created, `app` is imported (loading dlib's
models as the Lambda init phase does) and `app.lambda_handler` is called with S3 events for real
photographs: an enrolment stores a 512-byte template, a link check with another photo of the
same person verifies, and a re-encoded copy of the reference photo is refused as a replay.

    python scripts/check_face_image.py          # exit status 0 when all of that holds

`FaceWorld` (the tables, bucket, records and events) is also used by the unit tests and the
benchmarks, in the project's own virtualenv.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".cache" / "image-venv"
FACE_REQUIREMENTS = ROOT / "layers" / "face_models" / "requirements.txt"
COMMON_REQUIREMENTS = ROOT / "layers" / "common" / "requirements.txt"
DEV_REQUIREMENTS = ROOT / "requirements" / "dev.txt"
DOCKERFILE = ROOT / "layers" / "face_models" / "Dockerfile"
PHOTOS = ROOT / ".cache" / "photos"
ONLY_BINARY = "dlib-bin,numpy,pillow,pydantic-core"
#: The Dockerfile's step that makes the installed models the image's (run from the task root).
PREPARE_MODELS = "from enforcement.face import models; models.prepare()"
#: The interpreter of the image (public.ecr.aws/lambda/python:3.12), when this machine has it.
IMAGE_PYTHON = "3.12"
#: The handler modules the Dockerfile copies into the task root (one function each).
HANDLERS = ("app.py", "drivers.py", "compaction.py")
REGION = "cn-north-1"
#: Two drivers of the probe's city (resident ID numbers with their check characters).
LICENCE, OTHER_LICENCE = "11010519491231002X", "440524188001010014"


# ------------------------------------------------------------------ the virtualenv


def _pins(names: tuple[str, ...]) -> list[str]:
    """The project's own pins of `names` (requirements/dev.txt), extras dropped: moto's mock_aws
    needs none of the server's packages."""
    found = {}
    for line in DEV_REQUIREMENTS.read_text().splitlines():
        requirement = line.split("#", 1)[0].strip()
        name = requirement.split("==", 1)[0].split("[", 1)[0].strip().lower()
        if name in names and "==" in requirement:
            found[name] = f"{name}=={requirement.split('==', 1)[1].strip()}"
    missing = [name for name in names if name not in found]
    if missing:
        raise SystemExit(f"no pin for {', '.join(missing)} in {DEV_REQUIREMENTS}")
    return [found[name] for name in names]


def _python() -> tuple[str, str]:
    """The interpreter for the virtualenv and its version: Python 3.12 as in the image when
    this machine has one (on PATH or under pyenv), else the one running this script."""
    candidates = [shutil.which(f"python{IMAGE_PYTHON}")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(
        (str(p) for p in pyenv_root.glob(f"versions/{IMAGE_PYTHON}*/bin/python{IMAGE_PYTHON}")),
        reverse=True,
    )
    for candidate in candidates:
        if not candidate:
            continue
        probe = subprocess.run(
            [candidate, "-c", "import platform, venv; print(platform.python_version())"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0:
            return candidate, probe.stdout.strip()
    return sys.executable, platform.python_version()


def venv_key(python_version: str, tools: list[str]) -> str:
    """Hash of everything the virtualenv is made from."""
    digest = hashlib.sha256()
    for path in (FACE_REQUIREMENTS, COMMON_REQUIREMENTS):
        digest.update(path.read_bytes())
    for part in (python_version, ONLY_BINARY, *tools):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()[:16]


def _pip(python: Path, *args: str) -> None:
    # The pip of the project's virtualenv (`make setup` upgrades it) installs into the image
    # virtualenv (`--python`), which is made without a pip of its own: the interpreter's bundled
    # pip is older and spends about twice the CPU evaluating the index's links (botocore's page
    # has thousands), and installing it costs a few seconds more. What gets installed, and from
    # where, is the same.
    # --no-compile: the handler runs once per check, byte-compiling every installed module
    # would cost more than it saves (the task root itself is compiled, as in the image)
    command = [
        sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check",
        "-q", "install", "--no-compile", *args,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"pip install {' '.join(args)} failed")


def ensure_venv() -> tuple[Path, bool]:
    """The image virtualenv's interpreter, made anew only when its key changed; and whether it
    was made now."""
    tools = _pins(("boto3", "moto"))
    interpreter, version = _python()
    key = venv_key(version, tools)
    python = VENV / "bin" / "python"
    stamp = VENV / ".key"
    if python.exists() and stamp.exists() and stamp.read_text().strip() == key:
        return python, False
    shutil.rmtree(VENV, ignore_errors=True)
    VENV.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([interpreter, "-m", "venv", "--without-pip", str(VENV)], check=True)
    with tempfile.TemporaryDirectory(prefix="image-requirements-") as tmp:
        # the Dockerfile's layout: /tmp/requirements/{common,face_models}/requirements.txt
        layout = Path(tmp)
        for source, folder in ((COMMON_REQUIREMENTS, "common"), (FACE_REQUIREMENTS, "face_models")):
            (layout / folder).mkdir()
            shutil.copy(source, layout / folder / "requirements.txt")
        _pip(
            python,
            f"--only-binary={ONLY_BINARY}",
            "-r",
            str(layout / "face_models" / "requirements.txt"),
        )
    _pip(python, *tools)
    stamp.write_text(key + "\n")
    return python, True


def make_task_root(into: Path) -> Path:
    """The image's ${LAMBDA_TASK_ROOT}: the shared package and the handler, byte-compiled."""
    shutil.copytree(
        ROOT / "layers" / "common" / "enforcement",
        into / "enforcement",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    for handler in HANDLERS:
        shutil.copy(ROOT / "functions" / "face" / handler, into / handler)
    return into


# ------------------------------------------------------------------ the world an event needs


class Context:
    """The parts of a Lambda context the handler's decorators read."""

    function_name = "FaceFunction"
    function_version = "$LATEST"
    invoked_function_arn = f"arn:aws-cn:lambda:{REGION}:123456789012:function:FaceFunction"
    memory_limit_in_mb = 1769
    log_group_name = "/aws/lambda/FaceFunction"
    log_stream_name = "local"

    def __init__(self) -> None:
        self.aws_request_id = secrets.token_hex(16)

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


ENVIRONMENT = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_SERVICE_NAME": "enforcement",
    "POWERTOOLS_METRICS_NAMESPACE": "FieldEnforcement",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}


class FaceWorld:
    """The tables, the upload bucket and the records a photo event needs, under moto.

    Call inside `moto.mock_aws()` with ENVIRONMENT set. Table and bucket names are the models'
    defaults; `enrol` and `check` write an upload ticket (and a link check), put the photo in
    the bucket and hand `handler` the S3 event S3 would send.
    """

    def __init__(self) -> None:
        import boto3
        from enforcement import audit, models
        from enforcement.checkin import models as checkin_models
        from enforcement.config import settings
        from enforcement.ticketing import face_models
        from pynamodb.models import Model

        self.bucket = settings().upload_bucket
        self.s3 = boto3.client("s3", region_name=REGION)
        self.s3.create_bucket(  # as template.yaml makes it: versioned, with Object Lock
            Bucket=self.bucket,
            CreateBucketConfiguration={"LocationConstraint": REGION},
            ObjectLockEnabledForBucket=True,
        )
        tables: dict[str, type[Model]] = {}
        every = [*vars(models).values(), *vars(checkin_models).values(), audit.AuditEntry]
        for value in [*every, *vars(face_models).values()]:
            if isinstance(value, type) and issubclass(value, Model) and value is not Model:
                tables.setdefault(value.Meta.table_name, value)
        for model in tables.values():
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        boto3.client("dynamodb", region_name=REGION).create_table(
            TableName=os.environ.get("IDEMPOTENCY_TABLE", "idempotency"),
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        self._sequence = 0

    def crew(self, crew_id: str) -> None:
        from enforcement.checkin.models import CrewMember

        CrewMember(crew_id, name=crew_id, face_status="pending", created_at=_now()).save()

    def _ticket(self, purpose: str, subject_id: str, prefix: str = "uploads/") -> str:
        from enforcement.models import Upload

        key = f"{prefix}{purpose}/{subject_id}/{secrets.token_hex(12)}"
        now = datetime.now(UTC)
        Upload(
            key,
            purpose=purpose,
            actor="officer:image-check",
            subject_id=subject_id,
            max_bytes=10 * 1024 * 1024,
            status="pending",
            created_at=_now(now),
            expires_at=_now(now + timedelta(minutes=10)),
            purge_at=int((now + timedelta(days=30)).timestamp()),
        ).save()
        return key

    def deliver(self, key: str, photo: bytes, handler: Callable[..., Any]) -> dict[str, Any]:
        """Put the photo under `key` (a new object version) and call `handler` with the S3
        notification for it."""
        version = self.s3.put_object(Bucket=self.bucket, Key=key, Body=photo)["VersionId"]
        self._sequence += 1
        record = {
            "eventVersion": "2.1",
            "eventSource": "aws:s3",
            "awsRegion": REGION,
            "eventTime": _now(),
            "eventName": "ObjectCreated:Post",
            "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": "PhotoUploaded",
                "bucket": {"name": self.bucket, "arn": f"arn:aws-cn:s3:::{self.bucket}"},
                "object": {
                    "key": quote_plus(key, safe="/"),
                    "size": len(photo),
                    "eTag": hashlib.md5(photo, usedforsecurity=False).hexdigest(),
                    "sequencer": f"{self._sequence:016X}",
                    "versionId": version,
                },
            },
        }
        result: dict[str, Any] = handler({"Records": [record]}, Context())
        return result

    def enrol(self, crew_id: str, photo: bytes, handler: Callable[..., Any]) -> dict[str, Any]:
        """An enrolment photo for `crew_id` (created when new); the handler's record."""
        from enforcement.checkin.models import CrewMember

        try:
            CrewMember.get(crew_id)
        except CrewMember.DoesNotExist:
            self.crew(crew_id)
        record: dict[str, Any] = self.deliver(self._ticket("enrolment", crew_id), photo, handler)[
            "records"
        ][0]
        return record

    def check(self, crew_id: str, photo: bytes, handler: Callable[..., Any]) -> dict[str, Any]:
        """A link check (identity only: the face check) of a new account with this photo; the
        crew record's earlier link, if any, is dropped first so that a verified check can link
        it again."""
        from enforcement.checkin.models import Check, CrewMember
        from enforcement.models import Account

        CrewMember(crew_id).update(actions=[CrewMember.account_id.remove()])
        account_id = f"acct-{secrets.token_hex(6)}"
        Account(account_id, role="crew", created_at=_now()).save()
        check_id = f"chk-{secrets.token_hex(8)}"
        key = self._ticket("check", check_id)
        Check(
            check_id,
            purpose="link",
            crew_id=crew_id,
            account_id=account_id,
            status="awaiting_photo",
            reasons=[],
            photo_key=key,
            created_at=_now(),
        ).save()
        record: dict[str, Any] = self.deliver(key, photo, handler)["records"][0]
        return record

    def enrol_driver(
        self, city: str, licence_number: str, photo: bytes, handler: Callable[..., Any]
    ) -> dict[str, Any]:
        """A driver's reference photo (the driver's face record made pending, as the route
        does); the driver handler's record."""
        from enforcement.ticketing import face_models as fm

        fm.DriverFace(
            fm.driver_key(city, licence_number),
            city=city,
            licence_number=licence_number,
            face_status="pending",
            face_updated_at=_now(),
            requested_by="admin:image-check",
        ).save()
        key = self._ticket(fm.ENROLMENT, fm.enrolment_subject(city, licence_number), fm.PREFIX)
        record: dict[str, Any] = self.deliver(key, photo, handler)["records"][0]
        return record

    def search_driver(
        self, city: str, photo: bytes, handler: Callable[..., Any], reason: str = "no licence"
    ) -> tuple[str, dict[str, Any]]:
        """A face search of `city`'s drivers with this photo: its id and the handler's record."""
        from enforcement.ticketing import face_models as fm

        search_id = f"fs-{secrets.token_hex(12)}"
        key = self._ticket(fm.SEARCH, fm.search_subject(city, search_id), fm.PREFIX)
        fm.FaceSearch(
            search_id,
            city=city,
            officer="officer:image-check",
            reason=reason,
            status="awaiting_photo",
            created_at=_now(),
            photo_key=key,
        ).save()
        record: dict[str, Any] = self.deliver(key, photo, handler)["records"][0]
        return search_id, record


def _now(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ------------------------------------------------------------------ inside the image virtualenv


def reencoded(data: bytes) -> bytes:
    """The photo decoded and saved again (new bytes, same picture): a copy, not a new photo."""
    from PIL import Image

    out = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        image.convert("RGB").resize((image.width * 3 // 4, image.height * 3 // 4)).save(
            out, "JPEG", quality=80
        )
    return out.getvalue()


def probe(photos: Path) -> dict[str, Any]:
    """Run in the image virtualenv with the task root on the path: import the handler and let it
    decide three real photos. Raises AssertionError when a decision is not the expected one."""
    os.environ.update(ENVIRONMENT)
    from moto import mock_aws

    summary: dict[str, Any] = {"python": platform.python_version()}
    with mock_aws():
        world = FaceWorld()
        started = time.perf_counter()
        import app  # the module the image's CMD names; loads dlib's models at import

        summary["import_s"] = round(time.perf_counter() - started, 3)
        import enforcement
        from enforcement.checkin.models import FaceRecord

        task_root = Path(os.environ["PYTHONPATH"]).resolve()
        for module in (app, enforcement):  # from the task root, not from this repository
            assert task_root in Path(str(module.__file__)).resolve().parents, module.__file__

        started = time.perf_counter()
        enrolled = world.enrol("crew-1", (photos / "obama.jpg").read_bytes(), app.lambda_handler)
        summary["enrolment_s"] = round(time.perf_counter() - started, 3)
        assert enrolled["outcome"] == "enrolled", enrolled
        stored = FaceRecord.get("crew#crew-1", consistent_read=True)
        assert len(bytes(stored.template)) == 512, "the stored template is not 128 float32"
        # the grant posted again: the new version is refused, the enrolment keeps its photo
        again = world.deliver(
            enrolled["key"], (photos / "biden.jpg").read_bytes(), app.lambda_handler
        )
        assert again["records"][0]["outcome"] == "replacement_refused", again
        kept = FaceRecord.get("crew#crew-1", consistent_read=True)
        assert kept.reference_version == stored.reference_version is not None, "version changed"
        assert bytes(kept.template) == bytes(stored.template), "the template changed"

        started = time.perf_counter()
        genuine = world.check("crew-1", (photos / "obama2.jpg").read_bytes(), app.lambda_handler)
        summary["check_s"] = round(time.perf_counter() - started, 3)
        assert genuine["outcome"] == "verified", genuine

        copy = reencoded((photos / "obama.jpg").read_bytes())
        replay = world.check("crew-1", copy, app.lambda_handler)
        assert replay["outcome"] == "failed", replay
        assert replay["reasons"] == ["face:replayed_reference_photo"], replay
        summary["decisions"] = [enrolled["outcome"], genuine["outcome"], replay["reasons"][0]]

        # the driver handler (the second function of the image): enrol, then identify
        import drivers
        from enforcement import jurisdictions
        from enforcement.ticketing.face_models import FaceSearch

        assert task_root in Path(str(drivers.__file__)).resolve().parents, drivers.__file__
        jurisdictions.register("admin:image-check", "traffic-police", "yantai")
        driver = world.enrol_driver(
            "yantai", LICENCE, (photos / "obama.jpg").read_bytes(), drivers.lambda_handler
        )
        assert driver["outcome"] == "enrolled", driver
        other = world.enrol_driver(
            "yantai", OTHER_LICENCE, (photos / "biden.jpg").read_bytes(), drivers.lambda_handler
        )
        assert other["outcome"] == "enrolled", other
        started = time.perf_counter()
        search_id, searched = world.search_driver(
            "yantai", (photos / "obama2.jpg").read_bytes(), drivers.lambda_handler
        )
        summary["search_s"] = round(time.perf_counter() - started, 3)
        assert searched["outcome"] == "searched", searched
        candidates = FaceSearch.get(search_id, consistent_read=True).candidates or []
        first = (candidates[0].licence_number, candidates[0].match) if candidates else None
        assert first == (LICENCE, "match"), first
        summary["decisions"].append("driver identified")
    return summary


# ------------------------------------------------------------------ driver


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--photos", type=Path, default=PHOTOS)
    args = parser.parse_args(argv)
    if args.probe:
        print(json.dumps(probe(args.photos)))
        return 0

    started = time.perf_counter()
    if not (args.photos / "obama.jpg").is_file():
        print(f"check_face_image: no photos in {args.photos} (make photos)", file=sys.stderr)
        return 1
    python, made = ensure_venv()
    ready = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="face-task-root-") as tmp:
        task_root = make_task_root(Path(tmp))
        subprocess.run(
            [str(python), "-c", PREPARE_MODELS],
            cwd=task_root,
            check=True,
            capture_output=True,
        )
        subprocess.run([str(python), "-m", "compileall", "-q", str(task_root)], check=True)
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", tmp),
            "PYTHONPATH": str(task_root),  # as LAMBDA_TASK_ROOT is on the image's path
            "PYTHONDONTWRITEBYTECODE": "1",
            **ENVIRONMENT,
        }
        result = subprocess.run(
            [str(python), str(Path(__file__).resolve()), "--probe", "--photos", str(args.photos)],
            cwd=task_root,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        sys.stderr.write(result.stdout + result.stderr)
        print("check_face_image: the handler did not answer as expected", file=sys.stderr)
        return 1
    summary = json.loads(lines[-1])
    print(
        f"face image: requirements resolve ({'installed' if made else 'reused'} {VENV.name}, "
        f"{ready:.1f} s), Python {summary['python']}; handler import {summary['import_s']} s; "
        f"decisions {', '.join(summary['decisions'])} "
        f"(enrolment {summary['enrolment_s']} s, check {summary['check_s']} s, "
        f"driver search {summary['search_s']} s); "
        f"{time.perf_counter() - started:.1f} s in all"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
