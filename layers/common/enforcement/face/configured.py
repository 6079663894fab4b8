"""The face engine and the replay rule as the deployment configures them.

The one place that turns `enforcement.config.Settings` (the FACE_* variables: the match
threshold, the engine's limits and tuning, the replay rule's two thresholds) into an
`engine.EngineConfig` and a `liveness.ReplayRule`. Whatever encodes or decides a photo for the
service asks here; the classes' own defaults serve library use (calibration, benchmarks, tests).
"""

from __future__ import annotations

from enforcement.config import Settings, settings
from enforcement.face.engine import EngineConfig
from enforcement.face.liveness import ReplayRule


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


def replay_rule(cfg: Settings | None = None) -> ReplayRule:
    """The replay rule as deployed (FACE_REPLAY_MAX_DISTANCE, FACE_REPLAY_MIN_SIMILARITY)."""
    cfg = cfg or settings()
    return ReplayRule(cfg.face_replay_max_distance, cfg.face_replay_min_similarity)
