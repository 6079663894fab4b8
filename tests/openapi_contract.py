"""What the OpenAPI document promises a client developer, as checks and figures.

`offences(document)` lists, per operation, what breaks the contract; `figures(document)` counts
what the document says (scripts/openapi_figures.py prints them). Used by
tests/unit/test_openapi_contract.py.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
ERROR_REF = "#/components/schemas/Error"
MAX_OPERATION_ID = 30
#: Field names that hold a date or a moment (and want `format: date` or `date-time`).
DATE_TIME_NAME = re.compile(r"(^|_)(at|on|date|day|time|until|since)$|^(date|day|time)(_|$)")


def build_document() -> dict[str, Any]:
    """The document the docs function serves, built in-process from every router."""
    spec = importlib.util.spec_from_file_location("docs_app", ROOT / "functions/docs/app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    document: dict[str, Any] = json.loads(module.app.get_openapi_json_schema())
    return document


def operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """`("POST /checkin/vessels", operation)` for every operation."""
    for path, item in (document.get("paths") or {}).items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in schema and seen < 20:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
        seen += 1
    return schema


def _alternatives(document: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    schema = resolve(document, schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return [
                s
                for option in schema[key]
                for s in _alternatives(document, option)
                if s.get("type") != "null"
            ]
    return [schema]


def bare(document: dict[str, Any], schema: dict[str, Any] | None) -> bool:
    """An answer that says nothing: no schema, `{}`, an object without properties, or a list
    of such."""
    if not schema:
        return True
    for option in _alternatives(document, schema):
        if option.get("type") == "array":
            if bare(document, option.get("items")):
                return True
        elif option.get("type") == "object" or not option.get("type"):
            if option.get("properties") or "allOf" in option or "enum" in option:
                continue
            values = option.get("additionalProperties")
            if not (isinstance(values, dict) and values and not bare(document, values)):
                return True
    return False


def untyped_fields(
    document: dict[str, Any], schema: dict[str, Any] | None, seen: set[str] | None = None
) -> set[str]:
    """`Model.field` of every field, however deep, whose value is an untyped object."""
    seen = set() if seen is None else seen
    found: set[str] = set()
    if not schema:
        return found
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return found
        seen.add(name)
    for option in _alternatives(document, schema):
        for field, sub in (option.get("properties") or {}).items():
            if bare(document, sub):
                found.add(f"{option.get('title', '?')}.{field}")
            else:
                found |= untyped_fields(document, sub, seen)
        if option.get("type") == "array":
            found |= untyped_fields(document, option.get("items"), seen)
        if isinstance(option.get("additionalProperties"), dict):
            found |= untyped_fields(document, option["additionalProperties"], seen)
    return found


def undated_fields(
    document: dict[str, Any], schema: dict[str, Any] | None, seen: set[str] | None = None
) -> set[str]:
    """`Model.field` of every string named like a date or a moment without a `format` (or, for
    a text that is not RFC 3339, such as a local minute `2026-11-23T07:30+08:00`, a `pattern`)."""
    seen = set() if seen is None else seen
    found: set[str] = set()
    if not schema:
        return found
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return found
        seen.add(name)
    for option in _alternatives(document, schema):
        title = option.get("title", "?")
        for field, sub in (option.get("properties") or {}).items():
            for alt in _alternatives(document, sub):
                named = DATE_TIME_NAME.search(field)
                if named and alt.get("type") == "string" and not {"format", "pattern"} & set(alt):
                    found.add(f"{title}.{field}")
            found |= undated_fields(document, sub, seen)
        if option.get("type") == "array":
            found |= undated_fields(document, option.get("items"), seen)
        if isinstance(option.get("additionalProperties"), dict):
            found |= undated_fields(document, option["additionalProperties"], seen)
    return found


def success(operation: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    for status in sorted(operation.get("responses") or {}):
        if status.startswith("2"):
            return status, operation["responses"][status]
    return None


def success_schema(operation: dict[str, Any]) -> dict[str, Any] | None:
    found = success(operation)
    if found is None:
        return None
    content = found[1].get("content") or {}
    schema = (content.get("application/json") or {}).get("schema")
    return schema if isinstance(schema, dict) else None


def offences(
    document: dict[str, Any],
    *,
    free_json: frozenset[str] = frozenset(),
    creating: frozenset[str] = frozenset(),
) -> dict[str, list[str]]:
    """Per operation, what it fails to tell a client developer. `free_json`: operations whose
    answer is free JSON by design; `creating`: operations that answer 201."""
    tag_names = {tag["name"]: tag for tag in document.get("tags") or []}
    ids: dict[str, str] = {}
    found: dict[str, list[str]] = {}
    for name, operation in operations(document):
        problems: list[str] = []
        tags = operation.get("tags") or []
        if not tags:
            problems.append("no tag")
        for tag in tags:
            if not (tag_names.get(tag) or {}).get("description"):
                problems.append(f"tag {tag!r} has no description in the document")
        if not (operation.get("description") or "").strip():
            problems.append("no description")
        operation_id = operation.get("operationId") or ""
        if not operation_id or len(operation_id) > MAX_OPERATION_ID:
            problems.append(f"operation id {operation_id!r} longer than {MAX_OPERATION_ID}")
        if operation_id in ids:
            problems.append(f"operation id {operation_id!r} also on {ids[operation_id]}")
        ids[operation_id] = name
        answer = success(operation)
        if answer is None:
            problems.append("no success answer")
        else:
            status, _ = answer
            if name in creating and status != "201":
                problems.append(f"creates a record but documents {status}, not 201")
            if name not in free_json and bare(document, success_schema(operation)):
                problems.append(f"{status} answer is an untyped object")
        untyped = untyped_fields(document, success_schema(operation))
        if untyped:
            problems.append(f"untyped fields: {', '.join(sorted(untyped))}")
        undated = undated_fields(document, success_schema(operation))
        if undated:
            problems.append(f"date or time without format: {', '.join(sorted(undated))}")
        for status, response in (operation.get("responses") or {}).items():
            if status[0] in "45":
                content = (response.get("content") or {}).get("application/json") or {}
                if content.get("schema") != {"$ref": ERROR_REF}:
                    problems.append(f"{status} is not the shared Error")
        if problems:
            found[name] = problems
    return found


def figures(document: dict[str, Any]) -> dict[str, Any]:
    """What the document says, counted."""
    ops = list(operations(document))
    ids = [op.get("operationId") or "" for _, op in ops]
    undated: set[str] = set()
    untyped: set[str] = set()
    for _, op in ops:
        undated |= undated_fields(document, success_schema(op))
        untyped |= untyped_fields(document, success_schema(op))
    statuses: dict[str, int] = {}
    for _, op in ops:
        for status in op.get("responses") or {}:
            statuses[status] = statuses.get(status, 0) + 1
    return {
        "paths": len(document.get("paths") or {}),
        "operations": len(ops),
        "without tags": sum(1 for _, op in ops if not op.get("tags")),
        "without description": sum(1 for _, op in ops if not op.get("description")),
        "bare-object success answers": sum(
            1 for _, op in ops if bare(document, success_schema(op))
        ),
        "untyped fields of typed answers": len(untyped),
        "date/time fields without format": len(undated),
        "operation id length max": max((len(i) for i in ids), default=0),
        "operation id length mean": round(sum(map(len, ids)) / max(len(ids), 1), 1),
        "documenting 201": statuses.get("201", 0),
        "documenting 303": statuses.get("303", 0),
        "with Idempotency-Key": sum(
            1
            for _, op in ops
            if any(p.get("name") == "Idempotency-Key" for p in op.get("parameters") or [])
        ),
        "responses by status": dict(sorted(statuses.items())),
    }


def generate_client(document: dict[str, Any], into: Path) -> tuple[Path, str]:
    """Generate the Python client of `document` with openapi-python-client into `into`: the
    package `enforcement_client` (import it with `into` on `sys.path`) and what the generator
    printed (its warnings)."""
    import subprocess
    import sys

    into.mkdir(parents=True, exist_ok=True)
    source = into / "openapi.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    config = into / "generator.json"
    config.write_text(
        json.dumps(
            {
                "package_name_override": "enforcement_client",
                "project_name_override": "enforcement-client",
                "post_hooks": [],
            }
        ),
        encoding="utf-8",
    )
    package = into / "enforcement_client"
    generator = Path(sys.executable).with_name("openapi-python-client")
    run = subprocess.run(
        [
            str(generator), "generate", "--path", str(source), "--config", str(config),
            "--meta", "none", "--output-path", str(package), "--overwrite",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    output = run.stdout + run.stderr
    if run.returncode != 0:
        raise RuntimeError(f"openapi-python-client failed ({run.returncode}):\n{output}")
    return package, output


def generator_warnings(output: str) -> list[str]:
    """The warnings in openapi-python-client's output, one block each."""
    if "Warning" not in output:
        return []
    blocks = [b.strip() for b in output.split("\n\n") if b.strip()]
    return [b for b in blocks if not b.startswith("Generating ")]
