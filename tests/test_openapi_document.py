"""The served OpenAPI document: 3.1, and zero errors from the NL API Design Rules linter."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hub.api.app import create_app

REPO = Path(__file__).resolve().parents[1]
RULESET = REPO / "specs" / "adr" / "linter.yaml"

# Documented exceptions to the ADR ruleset, each where a standard the hub speaks for an
# existing front end names things its own way. Nothing else may break a rule.
# * The Objects API facade (KISS reads it): the Objects API's own filter parameter is
#   `data_attr`, which the query-keys-camel-case rule rejects; renaming it would break
#   every client of that standard.
EXCEPTIONS = {
    "/paths/~1gemeenten~1%7Bgemeentecode%7D~1objecten~1api~1v2~1objects/get/parameters": [
        "nlgov:query-keys-camel-case"
    ],
}


def ruleset_with_exceptions(directory: Path) -> Path:
    """The ADR ruleset extended with :data:`EXCEPTIONS` as Spectral overrides."""
    overrides = [
        {"files": [f"openapi.json#{pointer}"], "rules": {rule: "off" for rule in rules}}
        for pointer, rules in EXCEPTIONS.items()
    ]
    path = directory / "ruleset.json"
    path.write_text(json.dumps({"extends": [str(RULESET)], "overrides": overrides}))
    return path


def spectral_command() -> list[str]:
    configured = os.environ.get("KCC_SPECTRAL")
    if configured and Path(configured).exists():
        return [configured]
    local = REPO / ".tools" / "node" / "node_modules" / ".bin" / "spectral"
    if local.exists():
        return [str(local)]
    if shutil.which("npx"):
        return ["npx", "--yes", "@stoplight/spectral-cli@6.16.3"]
    pytest.fail(
        "Spectral is not available: run `make test`, which installs it from the npm registry"
    )


@pytest.fixture
def document(make_runtime: Callable[..., Any]) -> dict[str, Any]:
    client = TestClient(create_app(make_runtime()))
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc: dict[str, Any] = response.json()
    return doc


def test_document_is_openapi_3_1_with_the_v1_server(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/api/v1", "description": "Deze hub"}]
    assert all(path.startswith("/gemeenten/{gemeentecode}/") for path in document["paths"])


def test_no_operation_documents_fastapis_422(document: dict[str, Any]) -> None:
    for item in document["paths"].values():
        for operation in item.values():
            assert "422" not in operation["responses"]


def test_adr_linter_reports_zero_errors(document: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    report = tmp_path / "spectral.json"
    result = subprocess.run(
        [
            *spectral_command(),
            "lint",
            "-r",
            str(ruleset_with_exceptions(tmp_path)),
            "-F",
            "error",
            "-f",
            "json",
            "-o",
            str(report),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    findings = json.loads(report.read_text() or "[]")
    errors = [f for f in findings if f.get("severity") == 0]
    assert errors == [], json.dumps(errors, indent=1)[:4000]
    assert result.returncode == 0, result.stderr


def test_the_documented_exceptions_still_apply(document: dict[str, Any]) -> None:
    """An exception whose operation or parameter is gone must be removed, not kept around."""
    params = document["paths"]["/gemeenten/{gemeentecode}/objecten/api/v2/objects"]["get"][
        "parameters"
    ]
    assert "data_attr" in {p["name"] for p in params if p["in"] == "query"}
