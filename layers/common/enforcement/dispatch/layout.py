"""The layouts of a draw's two documents, checked before a document from outside is drawn or
compared (`draw.verify`).

The same rules as the JSON Schema files `docs/schemas/dispatch-snapshot.schema.json` and
`docs/schemas/dispatch-result.schema.json` (a test holds the two together), written out here so
that the draw needs no schema library: a document of the wrong shape is a `ModelError` naming
the first field at fault, never a crash half-way through a draw.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from enforcement.dispatch.risk import ModelError

#: Loads at the freeze; with what a draw adds they stay within the 4 bytes of the tie-break.
MAX_LOAD = (1 << 31) - 1
HEX64 = re.compile(r"[0-9a-f]{64}")
TICKET = re.compile(r"[0-9a-f]{16}")
#: A rate: a decimal of at most 12 places within [0, 1], as `risk.rate_text` writes it.
RATE = re.compile(r"0|1|0\.[0-9]{0,11}[1-9]")


def _at(where: str, message: str) -> ModelError:
    return ModelError(f"{where}: {message}")


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _at(where, "a string is needed")
    return value


def _integer(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _at(where, f"an integer within {low} and {high} is needed")
    return value


def _object(value: Any, where: str, required: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _at(where, "an object is needed")
    missing = [key for key in required if key not in value]
    if missing:
        raise _at(where, f"{', '.join(missing)} missing")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _at(where, "an array is needed")
    return value


def _texts(value: Any, where: str) -> list[str]:
    return [_text(item, f"{where}[{n}]") for n, item in enumerate(_list(value, where))]


def _unique(ids: list[str], where: str) -> None:
    if len(set(ids)) != len(ids):
        raise _at(where, "ids must be unique")


def check_snapshot(snapshot: Any) -> None:
    """ModelError unless `snapshot` has the layout of a snapshot document (version 1 or 2)."""
    doc = _object(
        snapshot,
        "snapshot",
        (
            "format",
            "draw_id",
            "agency",
            "frozen_at",
            "beacon",
            "model",
            "team_size",
            "targets",
            "inspectors",
            "conflicts",
        ),
    )
    if doc["format"] == "dispatch-snapshot/2":
        _integer(doc.get("reveal_wait_seconds"), "reveal_wait_seconds", 0, 86_400)
    for key in ("draw_id", "agency", "frozen_at"):
        _text(doc[key], key)
    if doc["beacon"] is not None:
        _text(doc["beacon"], "beacon")
    model = _object(doc["model"], "model", ("model_id", "version", "hash", "levels"))
    _text(model["model_id"], "model.model_id")
    _integer(model["version"], "model.version", 1, 1 << 53)
    _text(model["hash"], "model.hash")
    levels = _list(model["levels"], "model.levels")
    if not levels:
        raise _at("model.levels", "at least one level is needed")
    names = []
    for n, level in enumerate(levels):
        where = f"model.levels[{n}]"
        _object(level, where, ("level", "rate"))
        names.append(_text(level["level"], f"{where}.level"))
        if not RATE.fullmatch(_text(level["rate"], f"{where}.rate")):
            raise _at(f"{where}.rate", "a decimal within 0 and 1 (at most 12 places) is needed")
    _unique(names, "model.levels")
    _integer(doc["team_size"], "team_size", 1, 1000)
    targets = _list(doc["targets"], "targets")
    for n, target in enumerate(targets):
        if not _plain_target(target):  # the fast test fails: say exactly what is wrong
            _target(target, f"targets[{n}]")
    _unique([t["id"] for t in targets], "targets")
    inspectors = _list(doc["inspectors"], "inspectors")
    for n, inspector in enumerate(inspectors):
        if not _plain_inspector(inspector):
            _inspector(inspector, f"inspectors[{n}]")
    _unique([i["id"] for i in inspectors], "inspectors")
    for n, pair in enumerate(_list(doc["conflicts"], "conflicts")):
        if len(_texts(pair, f"conflicts[{n}]")) != 2:
            raise _at(f"conflicts[{n}]", "a pair [inspector id, company] is needed")


TARGET_KEYS = frozenset(("id", "kind", "jurisdiction", "company", "level", "last_team"))
INSPECTOR_KEYS = frozenset(("id", "jurisdiction", "qualifications", "on_duty", "load"))


def _plain_target(target: Any) -> bool:
    """One pass of cheap tests (a 100k-target snapshot is checked in a few tens of ms)."""
    return (
        type(target) is dict
        and target.keys() >= TARGET_KEYS
        and type(target["id"]) is str
        and type(target["kind"]) is str
        and type(target["jurisdiction"]) is str
        and type(target["company"]) is str
        and type(target["level"]) is str
        and type(target["last_team"]) is list
        and all(type(member) is str for member in target["last_team"])
    )


def _plain_inspector(inspector: Any) -> bool:
    return (
        type(inspector) is dict
        and inspector.keys() >= INSPECTOR_KEYS
        and type(inspector["id"]) is str
        and type(inspector["jurisdiction"]) is str
        and type(inspector["qualifications"]) is list
        and all(type(q) is str for q in inspector["qualifications"])
        and type(inspector["on_duty"]) is bool
        and type(inspector["load"]) is int
        and 0 <= inspector["load"] <= MAX_LOAD
    )


def _target(target: Any, where: str) -> None:
    _object(target, where, tuple(sorted(TARGET_KEYS)))
    for key in ("id", "kind", "jurisdiction", "company", "level"):
        _text(target[key], f"{where}.{key}")
    _texts(target["last_team"], f"{where}.last_team")


def _inspector(inspector: Any, where: str) -> None:
    _object(inspector, where, tuple(sorted(INSPECTOR_KEYS)))
    _text(inspector["id"], f"{where}.id")
    _text(inspector["jurisdiction"], f"{where}.jurisdiction")
    _texts(inspector["qualifications"], f"{where}.qualifications")
    if not isinstance(inspector["on_duty"], bool):
        raise _at(f"{where}.on_duty", "true or false is needed")
    _integer(inspector["load"], f"{where}.load", 0, MAX_LOAD)


def check_result(published: Any) -> None:
    """ModelError unless `published` has the layout of a result document (the values are
    compared with a re-run elsewhere; this only makes sure they can be)."""
    doc = _object(published, "result", ("format", "draw_id", "selected", "unstaffed"))
    for key in ("selected", "unstaffed"):
        for n, pick in enumerate(_list(doc[key], key)):
            where = f"{key}[{n}]"
            _object(pick, where, ("target",))
            _text(pick["target"], f"{where}.target")
    for key in ("snapshot_hash", "commitment", "secret", "seed", "result_hash", "beacon_value"):
        if key in doc and doc[key] is not None:
            _text(doc[key], key)
