"""The OpenAPI schema at /api/v1/openapi.json validates (openapi-spec-validator), names every operation
with its token security, and the docs page beside it needs no inline script and nothing from a CDN."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("get", "/api/v1/plans/{plan}/"),
    ("post", "/api/v1/plans/{plan}/metrics/{metric}/readings"),
    ("post", "/api/v1/plans/{plan}/readings/{reading}/withdraw"),
    ("post", "/api/v1/plans/{plan}/issues"),
    ("post", "/api/v1/plans/{plan}/issues/{number}/acknowledge"),
    ("post", "/api/v1/plans/{plan}/issues/{number}/resolve"),
    ("post", "/api/v1/plans/{plan}/issues/{number}/mitigate"),
    ("post", "/api/v1/plans/{plan}/issues/{number}/close"),
    ("post", "/api/v1/plans/{plan}/issues/{number}/reopen"),
    ("post", "/api/v1/plans/{plan}/issues/{number}/comments"),
    ("post", "/api/v1/plans/{plan}/issues/{number}/triage"),
    ("post", "/api/v1/plans/{plan}/rollback-triggers/{trigger}/raise"),
    ("post", "/api/v1/plans/{plan}/rollback-triggers/{trigger}/clear"),
    ("post", "/api/v1/plans/{plan}/steps/{step}/start"),
    ("post", "/api/v1/plans/{plan}/steps/{step}/finish"),
    ("post", "/api/v1/plans/{plan}/alerts/alertmanager"),
    ("post", "/api/v1/plans/{plan}/alerts/grafana"),
    ("post", "/api/v1/plans/{plan}/rollout/advance"),
    ("post", "/api/v1/plans/{plan}/rollout/rollback"),
    ("get", "/api/v1/plans/{plan}/readiness"),
    ("get", "/api/v1/plans/{plan}/handoff"),
    ("post", "/api/v1/plans/{plan}/readiness/{track}/attendance"),
}


def test_the_schema_validates_and_lists_every_operation() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    found = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    assert found == OPERATIONS
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            assert op["security"] == [{"TokenAuth": []}], (method, path)
            assert {"401", "403", "429"} <= set(op["responses"]), (method, path)
            if "requestBody" in op:
                assert "400" in op["responses"], (method, path)
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_the_docs_page_uses_only_our_own_static_files() -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    for attrs, body in scripts:
        # Each script is a file of ours, or a JSON data block (never run, so the CSP does not apply).
        assert ('src="/static/' in attrs and not body.strip()) or 'type="application/json"' in attrs, attrs
    for asset in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(asset), asset
