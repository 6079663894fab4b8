"""Configuration read from the environment that template.yaml gives every function: one home.

`Settings` is a pydantic model read from the environment as pydantic-settings would read it: each
field from the variable of the same name in any case (`upload_bucket` from `UPLOAD_BUCKET`), a
field with aliases from the first alias set; validated when a process first asks for it, and a
wrong value stops the start with an error naming the variable. (pydantic-settings itself is not
imported: it adds ~0.1 s to every cold start for this one model; `tests/unit/test_settings.py`
checks that both read the same values from the same environment.) A variable name means the
same thing in every function, so the local stack can run all handlers in one process with one
environment. Nothing else in the package reads `os.environ` for a setting; table names are the
resources' own bindings (`db.table_meta`), not settings.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator


class SettingsError(RuntimeError):
    """A deployment fault: an environment variable that does not hold a valid value."""


class Settings(BaseModel):
    """Everything configurable, with production defaults. `Settings()` reads the environment
    (`environment`); keyword arguments take precedence over it."""

    model_config = ConfigDict(frozen=True, extra="ignore", validate_default=True)

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**environment(type(self)), **values})

    region: str = Field(
        default="cn-north-1", validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION")
    )
    upload_bucket: str = "enforcement-uploads"
    app_secret_arn: str = "enforcement/app"  # noqa: S105 - the secret's name, not a secret
    notifications_topic_arn: str = ""
    remote_task_state_machine_arn: str = ""
    login_platform_url: str = "https://api.weixin.qq.com"
    miniprogram_app_id: str = "wx-enforcement"
    token_ttl_seconds: int = Field(default=28800, gt=0)
    #: The match distance's zones (`enforcement.face.zones.MatchZones`, built in
    #: `enforcement.face.configured`): at or below the threshold the same person (ACCEPT; also
    #: the engine's "match" in `engine.compare` and 1:N searches), at or above refuse_min
    #: another person beyond doubt (REFUSE), between them an officer decides (REVIEW). Fit both
    #: on a deployment's own photos: `python -m enforcement.face.calibrate FOLDER --zones`
    #: (the defaults, which `enforcement.face.zones` takes from here, are fitted that way on the
    #: test photographs: docs/benchmarks.md, "Face decisions").
    face_match_threshold: float = Field(default=0.5, gt=0, lt=2)
    face_match_refuse_min: float = Field(default=0.72, gt=0, lt=2)
    upload_max_bytes: int = Field(default=6 * 1024 * 1024, gt=0)
    #: Life of a presigned upload (seconds). Short: the client asks for it when it is about to
    #: post (the call that creates the check or report answers with it), so it needs only the
    #: upload's own time: 5 minutes carry a 6 MB photo over a 160 kbit/s coastal link, and a
    #: grant copied from a log or a screen is dead soon after. A second post within that time
    #: replaces nothing (enforcement.upload_versions), it only costs a refused object.
    upload_url_ttl_seconds: int = Field(default=300, gt=0)
    #: Life of a presigned GET of a stored photo shown to an officer (seconds).
    photo_link_ttl_seconds: int = Field(default=900, gt=0)
    #: Largest declared width x height of an evidence photo, checked on the header before any
    #: pixel is decoded. PNG and WebP cannot be decoded at a reduced scale, so this bounds the
    #: worst case: a blank 24 MP PNG is ~70 kB on the wire and ~0.3 s and ~90 MB to decode
    #: (docs/benchmarks.md). 24 MP keeps any phone's default photo (12 MP) and the detail a
    #: court may want; photos of more pixels do not fit the 6 MB upload limit as JPEG anyway.
    evidence_max_pixels: int = Field(default=24_000_000, gt=0)
    #: Largest declared width x height of a face photo (enrolment, checks). The engine works at
    #: 800 px and needs a face only 40 px tall, so more pixels add nothing: 16 MP keeps every
    #: phone's default photo, front or back (12-16 MP, 48-64 MP sensors bin to that).
    face_max_pixels: int = Field(default=16_000_000, gt=0)
    #: The rest of the face engine's tuning (`enforcement.face.engine.EngineConfig`, built from
    #: these in `enforcement.face.configured`): largest photo in bytes, the working size's longer
    #: side (0: native), smallest face height in pixels at that size, the detector ("hog", or
    #: "cnn": ~10 s and 2.2 GB per photo) and the descriptor's re-samplings.
    face_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    face_max_side: int = Field(default=800, ge=0)
    face_min_face_px: int = Field(default=40, ge=0)
    face_detection_model: Literal["hog", "cnn"] = "hog"
    face_num_jitters: int = Field(default=1, ge=1)
    #: How many times a driver's photo is doubled before detection (`EngineConfig.upsample`;
    #: crew photos: 1). 0 finds faces from ~80 px at the working size (a tenth of the photo's
    #: longer side), at a quarter of the detector's work: a licence photo and a roadside
    #: close-up are far above it, and a smaller face is refused `face_too_small`. Every template
    #: of a city's index comes from this one setting: changing it means enrolling again.
    driver_face_upsample: int = Field(default=0, ge=0, le=2)
    #: The replay likeness's zones (`enforcement.face.zones.ReplayZones`): a check photo within
    #: the review distance of a photo already used, or at least the review similarity to it,
    #: looks like a copy and goes to an officer (REVIEW); it is refused automatically only when
    #: it is within the refuse distance *and* at least the refuse similarity (or the same bytes
    #: or pixels). 0 and 2 as the review values switch the near-duplicate test off, leaving only
    #: the exact-copy test.
    face_replay_max_distance: float = Field(default=0.24, ge=0)
    face_replay_min_similarity: float = 0.90
    face_replay_refuse_max_distance: float = Field(default=0.19, ge=0)
    face_replay_refuse_min_similarity: float = 0.95
    #: The used-photo history (`enforcement.face.replays`): a check photo is compared with the
    #: newest `face_history_photos` photos the crew member used, and a used photo is kept
    #: `face_history_days` (then DynamoDB's TTL deletes it). An older photo is still refused
    #: when sent again as the same bytes or pixels; a near copy of it is not recognised.
    face_history_photos: int = Field(default=20, gt=0, le=100)
    face_history_days: int = Field(default=90, gt=0)

    @field_validator("face_detection_model", mode="before")
    @classmethod
    def _model_name(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    #: Object Lock on accepted evidence: days each accepted version is retained, and the mode
    #: (GOVERNANCE: only a principal with s3:BypassGovernanceRetention, which no function has,
    #: can shorten or delete; COMPLIANCE: nobody can, not even the account's root user).
    evidence_retention_days: int = Field(default=1825, gt=0)
    evidence_lock_mode: Literal["GOVERNANCE", "COMPLIANCE"] = "GOVERNANCE"
    #: How long crew have to check in once a remote check task is published (seconds): the one
    #: definition; template.yaml's RemoteTaskWindowSeconds and the API's description follow it.
    remote_task_window_seconds: int = Field(default=7200, gt=0)
    remote_task_poll_seconds: int = Field(default=60, gt=0)
    check_valid_hours: int = Field(default=12, gt=0)
    ais_max_age_minutes: int = Field(default=30, gt=0)
    geofence_min_radius_m: float = Field(default=100.0, gt=0)
    gps_max_accuracy_m: float = Field(default=150.0, gt=0)
    credit_points_per_day: int = Field(default=1, gt=0)
    fever_threshold_c: float = Field(default=37.3, gt=0)
    max_body_bytes: int = Field(default=64 * 1024, gt=0)
    #: Relay of the draws' public beacon (drand); empty: draws name no beacon.
    draw_beacon_url: str = ""
    #: The beacon's chain; empty / 0: drand quicknet's (see enforcement.dispatch.beacon).
    draw_beacon_chain_hash: str = ""
    draw_beacon_genesis: int = Field(default=0, ge=0)
    draw_beacon_period: int = Field(default=0, ge=0)
    #: Bucket of the audit log's checkpoint documents (versioned, under Object Lock).
    audit_bucket: str = "enforcement-audit"
    #: DynamoDB endpoint (the local stack's moto server); unset on AWS.
    dynamodb_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL")
    )
    idempotency_table: str = "idempotency"
    #: State machine of the draws (`dispatch.draws`).
    draw_state_machine_arn: str = ""
    #: Seconds between a draw's commitment and the beacon round it waits for.
    draw_reveal_wait_seconds: int = Field(default=600, ge=0)
    #: How inspectors are named on public pages: "masked" (first character), "full" or "none".
    dispatch_public_names: Literal["masked", "full", "none"] = "masked"
    #: Public snapshot/result documents up to this size are answered inline, larger ones by 303.
    public_document_inline_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    #: Most minutes of duty tasks one officer is given in a day.
    duty_max_minutes_per_day: int = Field(default=600, gt=0)
    # ---- remote survey: forms and declarations
    #: Largest form a publish request may carry (the body of POST /remote-survey/forms: the
    #: sheets as JSON, or an .xlsx in base64); the 12-language arrival form is ~125 kB as JSON.
    form_max_bytes: int = Field(default=1024 * 1024, gt=0)
    #: An .xlsx form: most bytes once unzipped (all parts together), judged from the zip's
    #: directory before openpyxl opens it (a zip bomb never reaches it).
    form_xlsx_max_unzipped_bytes: int = Field(default=8 * 1024 * 1024, gt=0)
    #: Life of a declaration code (the QR a traveller shows at the port), seconds.
    declaration_code_ttl_seconds: int = Field(default=86400, gt=0)
    #: Life of a kiosk's traveller session, opened by an officer of the port, seconds.
    kiosk_session_ttl_seconds: int = Field(default=1800, gt=0)
    #: Largest manifest CSV a port may upload (one flight; ~60 bytes a passenger).
    manifest_max_bytes: int = Field(default=1024 * 1024, gt=0)
    #: Days a submitted declaration (health data) and its versions are kept before DynamoDB's
    #: TTL deletes them, counted from the submit; a declaration referred or sampled is kept
    #: (`enforcement.remote_survey.retention`).
    declaration_retention_days: int = Field(default=30, gt=0)
    #: Days a manifest's passengers and its file are kept after the flight's arrival date
    #: (template parameter ManifestRetentionDays, which also expires the files in the bucket).
    manifest_retention_days: int = Field(default=30, gt=0)
    #: A flight's clearance target (remote survey): when its p90 (release - on-block) passes
    #: this many minutes, the port's officers are told, once per flight.
    clearance_p90_target_minutes: int = Field(default=30, gt=0)
    #: The local time of the deployment's jurisdictions, as +HH:MM (`clock.local_date`): the
    #: duty rota's days and slots, a port's arrival days, what `today()` means in a form and
    #: the date a travel document's expiry is judged on. One setting for every capability
    #: (China keeps one time and no summer time; template parameter LocalUtcOffset).
    local_utc_offset: str = Field(default="+08:00", pattern=r"^[+-](0\d|1[0-4]):[0-5]\d$")
    #: Days a draft declaration is kept after its last change (DynamoDB TTL): an abandoned
    #: draft goes; a submit replaces it with `declaration_retention_days`.
    draft_retention_days: int = Field(default=7, gt=0)
    # ---- traffic e-tickets: a city's registries
    #: Largest registry CSV a city's agency may upload (vehicles, drivers or violations; a larger
    #: registry is synced as several files). The reader's own cap is the same 64 MiB.
    registry_max_bytes: int = Field(default=64 * 1024 * 1024, gt=0, le=64 * 1024 * 1024)
    #: Days a driver face search (the officer, the reason, the candidates, the confirmation) and
    #: its probe photo are kept, then DynamoDB's TTL and the bucket's lifecycle rule delete them
    #: (template parameter FaceSearchRetentionDays; the audit entries stay).
    face_search_retention_days: int = Field(default=180, gt=0)
    #: The cities whose driver index the driver face function loads at its init, before any
    #: photo (comma-separated; template parameter DriverIndexPreloadCities): with provisioned
    #: concurrency a city's million-template download is never on a search. Empty: each index
    #: is loaded by its first photo.
    driver_index_preload_cities: str = Field(
        default="", pattern=r"^([a-z0-9][a-z0-9-]*(,[a-z0-9][a-z0-9-]*)*)?$"
    )

    @property
    def driver_index_cities(self) -> tuple[str, ...]:
        return tuple(c for c in self.driver_index_preload_cities.split(",") if c)


def environment(model: type[BaseModel]) -> dict[str, str]:
    """The variables that set `model`'s fields, as pydantic-settings reads them without a prefix
    and case-insensitively: a field's own name in any case, or, for a field with aliases, the
    first alias present (AWS_REGION before AWS_DEFAULT_REGION)."""
    variables = {name.lower(): value for name, value in os.environ.items()}
    found: dict[str, str] = {}
    for name, field in model.model_fields.items():
        alias = field.validation_alias
        names = [str(a) for a in alias.choices] if isinstance(alias, AliasChoices) else [name]
        for key in names:
            if key.lower() in variables:
                found[key] = variables[key.lower()]
                break
    return found


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process's settings, read and validated once (tests clear the cache after `setenv`)."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{str(error['loc'][0]).upper()}: {error['msg']}" for error in exc.errors()
        )
        raise SettingsError(f"invalid environment: {problems}") from None
