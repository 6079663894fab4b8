"""The specification (docs/draw-specification.md) is complete: a verifier written from its text
alone (tests/spec_verifier.py, standard library only) reproduces every intermediate value of the
committed vectors and the reference implementation's draws bit for bit, and the JSON Schema
files describe the documents the code publishes."""

from __future__ import annotations

import ast
import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from enforcement.dispatch import draw, layout, risk
from enforcement.dispatch.risk import ModelError

from tests import spec_verifier as spec
from tests import synthetic
from tests.draw_pages import drop_first_drawn, page_of, published_draw
from tests.vectors import generate

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"
SCHEMAS = ROOT / "docs" / "schemas"
VERSIONS = pytest.mark.parametrize("version", [1, 2])
QUICKNET = (
    "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    1692803367,
    3,
)


def vector(version: int, name: str) -> Any:
    data = (VECTORS / f"draw-v{version}" / name).read_bytes()
    return data if name in ("snapshot.json", "result.json") else json.loads(data)


def schema(document: str) -> jsonschema.Draft202012Validator:
    loaded = json.loads((SCHEMAS / f"dispatch-{document}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(loaded)
    return jsonschema.Draft202012Validator(loaded)


# ------------------------------------------------------------------ the independent verifier


def test_the_independent_verifier_imports_nothing_of_the_project() -> None:
    tree = ast.parse((ROOT / "tests" / "spec_verifier.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"__future__", "hashlib", "json", "datetime", "fractions", "typing"}


@VERSIONS
def test_the_independent_verifier_reproduces_every_intermediate_value(version: int) -> None:
    snapshot_bytes, result_bytes = vector(version, "snapshot.json"), vector(version, "result.json")
    inputs, steps = vector(version, "inputs.json"), vector(version, "intermediate.json")
    snapshot = spec.parse(snapshot_bytes)
    # the files are the canonical bytes; their hash is the published one
    assert spec.canonical(snapshot) == snapshot_bytes
    assert hashlib.sha256(snapshot_bytes).hexdigest() == steps["snapshot_sha256"]
    assert spec.snapshot_hash(snapshot) == inputs["snapshot_hash"]
    assert spec.commitment_input(inputs["secret"]).hex() == steps["commitment_input"]
    assert spec.commitment(inputs["secret"]) == inputs["commitment"] == steps["commitment"]
    # the beacon: the round rule, and the value from the round's signature
    chain = inputs["beacon_chain"]
    n = spec.beacon_round(
        inputs["committed_at"], inputs["reveal_wait_seconds"], chain["genesis_time"], 3
    )
    assert n == steps["beacon_round"]
    assert spec.beacon_name(chain["chain_hash"], n) == snapshot["beacon"] == inputs["beacon"]
    assert spec.round_time(n, chain["genesis_time"], 3) == steps["beacon_round_time"]
    value = hashlib.sha256(bytes.fromhex(inputs["beacon_signature"])).hexdigest()
    assert value == inputs["beacon_value"] == steps["beacon_value"]
    # the seed
    seed_input = spec.seed_input(inputs["secret"], inputs["snapshot_hash"], value)
    assert seed_input.hex() == steps["seed_input"]
    assert spec.seed(inputs["secret"], inputs["snapshot_hash"], value) == steps["seed"]
    # thresholds, tickets, the draw order, each team with its pool's keys
    result, trace = spec.draw(snapshot, steps["seed"])
    assert result["levels"] == steps["levels"]
    assert trace["tickets"] == steps["tickets"]
    assert trace["draw_order"] == steps["draw_order"]
    assert trace["teams"] == steps["teams"]
    # the result document, byte for byte, and its hash
    published = spec.publish(snapshot, inputs["secret"], value)
    assert spec.canonical(published) == result_bytes
    body = {k: v for k, v in published.items() if k != "result_hash"}
    assert hashlib.sha256(spec.canonical(body)).hexdigest() == steps["result_hash_input_sha256"]
    assert published["result_hash"] == steps["result_hash"] == inputs["result_hash"]
    # a redraw
    wanted = steps["redraw"]
    redrawn = spec.redraw(
        snapshot, published, wanted["target"], wanted["n"], set(wanted["excluded_by_request"])
    )
    assert redrawn["loads"] == wanted["loads_after_the_draw"]
    assert redrawn["redraw_seed_input"] == wanted["redraw_seed_input"]
    assert redrawn["redraw_seed"] == wanted["redraw_seed"]
    assert redrawn["candidates"] == wanted["candidates"]
    assert redrawn["team"] == wanted["team"]
    # and the whole verification, anchored on the page
    page = {**inputs, "status": "published", "revealed_at": None}
    assert spec.verify(page, spec.parse(result_bytes), snapshot, QUICKNET) == []


def test_the_vectors_cover_what_the_specification_leaves_to_chance() -> None:
    steps = vector(2, "intermediate.json")
    teams = steps["teams"]
    # ties of load broken by the tie-break; a team not in id order; exclusions; unstaffed
    assert any(len({c["load"] for c in t["candidates"]}) < len(t["candidates"]) for t in teams if t)
    assert any(t["team"] != sorted(t["team"]) for t in teams)
    assert any(c["excluded"] for t in teams for c in t["candidates"])
    assert any(not t["staffed"] and t["candidates"] for t in teams)  # conflicts leave too few
    assert any(not t["candidates"] for t in teams)  # nobody holds the qualification
    assert any(not t["selected"] for t in steps["tickets"])
    # a non-ASCII jurisdiction, escaped in the canonical bytes
    assert b"j-\\u5317\\u4ed1" in vector(2, "snapshot.json")


@VERSIONS
def test_the_reference_implementation_gives_the_committed_vectors(version: int) -> None:
    """Version 1's files were written by the code that published version 1 draws, before
    version 2: the draw of today still gives them, byte for byte."""
    assert generate.main(["--check", str(version)]) == 0
    snapshot = risk.strict_loads(vector(version, "snapshot.json"))
    inputs = vector(version, "inputs.json")
    published = draw.publish(snapshot, inputs["secret"], inputs["beacon_value"])
    assert risk.canonical_bytes(published) == vector(version, "result.json")


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("salt", ["spec-a", "spec-b"])
def test_the_independent_verifier_draws_as_the_reference_on_a_large_population(
    version: int, salt: str
) -> None:
    model = risk.parse_model(risk.ship_model_document())
    snapshot = synthetic.population(
        model,
        targets=4000,
        inspectors=20,  # few enough that conflicts leave some targets unstaffed
        jurisdictions=3,
        conflicts=300,
        salt=salt,
        snapshot_version=version,
    )
    snapshot = json.loads(json.dumps(snapshot))
    secret = hashlib.sha256(salt.encode()).hexdigest()
    reference = draw.publish(snapshot, secret, "ab" * 32)
    independent = spec.publish(snapshot, secret, "ab" * 32)
    assert spec.canonical(independent) == risk.canonical_bytes(reference)
    assert len(reference["selected"]) > 100
    assert reference["unstaffed"]
    target = reference["selected"][0]
    redrawn = spec.redraw(snapshot, reference, target["target"], 2, set(target["team"]))
    assert redrawn["team"] == draw.redraw_team(
        snapshot, reference["seed"], target["target"], 2, set(target["team"])
    )


def test_the_independent_verifier_does_not_take_a_forged_pair() -> None:
    published, snapshot = published_draw()
    forged = drop_first_drawn(published, snapshot)
    page = page_of(published, snapshot)
    assert spec.verify(page, published, snapshot, QUICKNET) == []
    problems = spec.verify(page, *forged, QUICKNET)
    assert "not the published draw: snapshot hash" in problems


# ------------------------------------------------------------------ canonical JSON


def test_canonical_json_is_the_same_in_both_implementations_and_the_vector() -> None:
    cases = json.loads((VECTORS / "canonical-json.json").read_text(encoding="utf-8"))["cases"]
    assert len(cases) >= 6
    for case in cases:
        value = json.loads(case["input"])
        expected = case["canonical"].encode("ascii")
        assert spec.canonical(value) == expected, case["what"]
        assert risk.canonical_bytes(value) == expected, case["what"]


# ------------------------------------------------------------------ the documents' schemas


@VERSIONS
def test_the_schemas_accept_the_vector_documents(version: int) -> None:
    schema("snapshot").validate(json.loads(vector(version, "snapshot.json")))
    schema("result").validate(json.loads(vector(version, "result.json")))


def _mutations(snapshot: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    def changed(path: str, edit: Any) -> tuple[str, dict[str, Any]]:
        copied = copy.deepcopy(snapshot)
        edit(copied)
        return path, copied

    return [
        changed("load -1", lambda s: s["inspectors"][0].update(load=-1)),
        changed("load 2^40", lambda s: s["inspectors"][0].update(load=2**40)),
        changed("load as text", lambda s: s["inspectors"][0].update(load="1")),
        changed("on_duty as 1", lambda s: s["inspectors"][0].update(on_duty=1)),
        changed("id as a number", lambda s: s["targets"][0].update(id=7)),
        changed("no last_team", lambda s: s["targets"][0].pop("last_team")),
        changed("rate 1.5", lambda s: s["model"]["levels"][0].update(rate="1.5")),
        changed("rate 0.30", lambda s: s["model"]["levels"][0].update(rate="0.30")),
        changed("team_size 0", lambda s: s.update(team_size=0)),
        changed("duplicate target", lambda s: s["targets"].append(s["targets"][0])),
        changed("conflict of one", lambda s: s["conflicts"].append(["x"])),
        changed("no model", lambda s: s.pop("model")),
    ]


def test_the_layout_check_and_the_schema_refuse_the_same_broken_snapshots() -> None:
    snapshot = json.loads(vector(2, "snapshot.json"))
    validator = schema("snapshot")
    for what, broken in _mutations(snapshot):
        with pytest.raises(ModelError):
            layout.check_snapshot(broken)
        assert not validator.is_valid(broken), what


def test_the_schemas_hold_version_2_to_its_rules() -> None:
    snapshot = json.loads(vector(2, "snapshot.json"))
    result = json.loads(vector(2, "result.json"))
    validator, results = schema("snapshot"), schema("result")
    without_wait = {k: v for k, v in snapshot.items() if k != "reveal_wait_seconds"}
    assert not validator.is_valid(without_wait)
    named = copy.deepcopy(snapshot)
    named["inspectors"][0]["id"] = "off-zhang"  # version 2 names no account
    assert not validator.is_valid(named)
    v1_with_wait = json.loads(vector(1, "snapshot.json"))
    v1_with_wait["reveal_wait_seconds"] = 600
    assert not validator.is_valid(v1_with_wait)
    leaked = copy.deepcopy(result)
    leaked["selected"][0]["team"][0] = "off-zhang"
    assert not results.is_valid(leaked)
    assert not results.is_valid({k: v for k, v in result.items() if k != "result_hash"})
    assert not results.is_valid({**result, "levels": [{**result["levels"][0], "rate": 0.3}]})
