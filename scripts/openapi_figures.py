"""Print what the OpenAPI document says, counted, and the warnings of openapi-python-client.

    .venv/bin/python scripts/openapi_figures.py [document.json]

Without an argument, the document of every router (the docs function's) is built in-process.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.openapi_contract import (
    build_document,
    figures,
    generate_client,
    generator_warnings,
)


def main() -> None:
    if len(sys.argv) > 1:
        document = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    else:
        document = build_document()
    for name, value in figures(document).items():
        print(f"{name}: {value}")
    with tempfile.TemporaryDirectory() as scratch:
        package, output = generate_client(document, Path(scratch))
        warnings = generator_warnings(output)
        ids = [p.stem for p in (package / "api").rglob("*.py") if p.stem != "__init__"]
        print(f"generated operation modules: {len(ids)}, longest name {max(map(len, ids))}")
    print(f"openapi-python-client warnings: {len(warnings)}")
    for warning in warnings:
        print("  " + warning.replace("\n", "\n  "))


if __name__ == "__main__":
    main()
