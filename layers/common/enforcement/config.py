"""Configuration read from the environment that template.yaml gives every function.

A variable name means the same thing in every function, so the local stack can run all handlers
in one process with one environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


def _env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise RuntimeError(f"environment variable {name} is not set")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with production defaults."""

    region: str
    upload_bucket: str
    app_secret_arn: str
    notifications_topic_arn: str
    remote_task_state_machine_arn: str
    login_platform_url: str
    miniprogram_app_id: str
    token_ttl_seconds: int
    face_match_threshold: float
    upload_max_bytes: int
    #: Life of a presigned upload (seconds). Short: the client asks for it when it is about to
    #: post (the call that creates the check or report answers with it), so it needs only the
    #: upload's own time: 5 minutes carry a 6 MB photo over a 160 kbit/s coastal link, and a
    #: grant copied from a log or a screen is dead soon after. A second post within that time
    #: replaces nothing (enforcement.upload_versions), it only costs a refused object.
    upload_url_ttl_seconds: int
    #: Life of a presigned GET of a stored photo shown to an officer (seconds).
    photo_link_ttl_seconds: int
    #: Largest declared width x height of an evidence photo, checked on the header before any
    #: pixel is decoded. PNG and WebP cannot be decoded at a reduced scale, so this bounds the
    #: worst case: a blank 24 MP PNG is ~70 kB on the wire and ~0.3 s and ~90 MB to decode
    #: (docs/benchmarks.md). 24 MP keeps any phone's default photo (12 MP) and the detail a
    #: court may want; photos of more pixels do not fit the 6 MB upload limit as JPEG anyway.
    evidence_max_pixels: int
    #: Largest declared width x height of a face photo (enrolment, checks). The engine works at
    #: 800 px and needs a face only 40 px tall, so more pixels add nothing: 16 MP keeps every
    #: phone's default photo, front or back (12-16 MP, 48-64 MP sensors bin to that).
    face_max_pixels: int
    #: Object Lock on accepted evidence: days each accepted version is retained, and the mode
    #: (GOVERNANCE: only a principal with s3:BypassGovernanceRetention, which no function has,
    #: can shorten or delete; COMPLIANCE: nobody can, not even the account's root user).
    evidence_retention_days: int
    evidence_lock_mode: str
    remote_task_window_seconds: int
    remote_task_poll_seconds: int
    check_valid_hours: int
    ais_max_age_minutes: int
    geofence_min_radius_m: float
    gps_max_accuracy_m: float
    credit_points_per_day: int
    fever_threshold_c: float
    max_body_bytes: int
    #: Relay of the draws' public beacon (drand); empty: draws name no beacon.
    draw_beacon_url: str
    #: The beacon's chain; empty / 0: drand quicknet's (see enforcement.dispatch.beacon).
    draw_beacon_chain_hash: str
    draw_beacon_genesis: int
    draw_beacon_period: int
    #: Bucket of the audit log's checkpoint documents (versioned, under Object Lock).
    audit_bucket: str


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings(
        region=_env("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "cn-north-1")),
        upload_bucket=_env("UPLOAD_BUCKET", "enforcement-uploads"),
        app_secret_arn=_env("APP_SECRET_ARN", "enforcement/app"),
        notifications_topic_arn=_env("NOTIFICATIONS_TOPIC_ARN", ""),
        remote_task_state_machine_arn=_env("REMOTE_TASK_STATE_MACHINE_ARN", ""),
        login_platform_url=_env("LOGIN_PLATFORM_URL", "https://api.weixin.qq.com"),
        miniprogram_app_id=_env("MINIPROGRAM_APP_ID", "wx-enforcement"),
        token_ttl_seconds=int(_env("TOKEN_TTL_SECONDS", "28800")),
        face_match_threshold=float(_env("FACE_MATCH_THRESHOLD", "0.5")),
        upload_max_bytes=int(_env("UPLOAD_MAX_BYTES", str(6 * 1024 * 1024))),
        upload_url_ttl_seconds=int(_env("UPLOAD_URL_TTL_SECONDS", "300")),
        photo_link_ttl_seconds=int(_env("PHOTO_LINK_TTL_SECONDS", "900")),
        evidence_max_pixels=int(_env("EVIDENCE_MAX_PIXELS", "24000000")),
        face_max_pixels=int(_env("FACE_MAX_PIXELS", "16000000")),
        evidence_retention_days=int(_env("EVIDENCE_RETENTION_DAYS", "1825")),
        evidence_lock_mode=_env("EVIDENCE_LOCK_MODE", "GOVERNANCE"),
        remote_task_window_seconds=int(_env("REMOTE_TASK_WINDOW_SECONDS", "7200")),
        remote_task_poll_seconds=int(_env("REMOTE_TASK_POLL_SECONDS", "60")),
        check_valid_hours=int(_env("CHECK_VALID_HOURS", "12")),
        ais_max_age_minutes=int(_env("AIS_MAX_AGE_MINUTES", "30")),
        geofence_min_radius_m=float(_env("GEOFENCE_MIN_RADIUS_M", "100")),
        gps_max_accuracy_m=float(_env("GPS_MAX_ACCURACY_M", "150")),
        credit_points_per_day=int(_env("CREDIT_POINTS_PER_DAY", "1")),
        fever_threshold_c=float(_env("FEVER_THRESHOLD_C", "37.3")),
        max_body_bytes=int(_env("MAX_BODY_BYTES", str(64 * 1024))),
        draw_beacon_url=_env("DRAW_BEACON_URL", ""),
        draw_beacon_chain_hash=_env("DRAW_BEACON_CHAIN_HASH", ""),
        draw_beacon_genesis=int(_env("DRAW_BEACON_GENESIS", "0")),
        draw_beacon_period=int(_env("DRAW_BEACON_PERIOD", "0")),
        audit_bucket=_env("AUDIT_BUCKET", "enforcement-audit"),
    )
