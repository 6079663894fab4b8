"""The face engine and the face decision's zones as the deployment configures them.

The one place that turns `enforcement.config.Settings` (the FACE_* variables: the engine's
limits and tuning, the match distance's lines, the replay likeness's lines) into an
`engine.EngineConfig`, `zones.MatchZones` and `zones.ReplayZones` (the one replay rule, which
`liveness.PhotoHistory.likeness` and the face check apply). Whatever encodes or decides a photo
for the service asks here; the classes' own defaults serve library use (calibration, benchmarks,
tests).
"""

from __future__ import annotations

from dataclasses import replace

from enforcement.config import Settings, settings
from enforcement.face.engine import EngineConfig
from enforcement.face.zones import MatchZones, ReplayZones


def engine_config(cfg: Settings | None = None) -> EngineConfig:
    """The engine as deployed: its limits, detector, re-samplings and the match threshold."""
    cfg = cfg or settings()
    return EngineConfig(
        max_bytes=cfg.face_max_bytes,
        max_pixels=cfg.face_max_pixels,
        max_side=cfg.face_max_side,
        min_face_px=cfg.face_min_face_px,
        model=cfg.face_detection_model,
        num_jitters=cfg.face_num_jitters,
        threshold=cfg.face_match_threshold,
    )


def driver_engine_config(cfg: Settings | None = None) -> EngineConfig:
    """The engine for drivers' photos (licence photos, roadside searches): the deployment's, with
    the detector's upsampling of `driver_face_upsample` and without the pixel digest (a replay
    test's, which drivers' photos do not have). Its own templates: a city's driver index is
    never compared with crew templates."""
    cfg = cfg or settings()
    return replace(engine_config(cfg), upsample=cfg.driver_face_upsample, pixel_digest=False)


def match_zones(cfg: Settings | None = None) -> MatchZones:
    """The match distance's zones as deployed (FACE_MATCH_THRESHOLD, FACE_MATCH_REFUSE_MIN)."""
    cfg = cfg or settings()
    return MatchZones(cfg.face_match_threshold, cfg.face_match_refuse_min)


def replay_zones(cfg: Settings | None = None) -> ReplayZones:
    """The replay likeness's zones as deployed (FACE_REPLAY_*). With the near-duplicate test
    switched off (review distance 0, similarity 2) only exact copies are refused."""
    cfg = cfg or settings()
    return ReplayZones(
        review_max_distance=cfg.face_replay_max_distance,
        review_min_similarity=cfg.face_replay_min_similarity,
        # a refuse line never lies outside its review line
        refuse_max_distance=min(cfg.face_replay_refuse_max_distance, cfg.face_replay_max_distance),
        refuse_min_similarity=max(
            cfg.face_replay_refuse_min_similarity, cfg.face_replay_min_similarity
        ),
    )
