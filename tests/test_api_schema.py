"""Schemathesis against the app's own OpenAPI schema: generated requests (valid and
invalid) to every operation, in process, bounded and deterministic; no 5xx, and every
response matches the schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.api_support import AUTH, jsonl, make_app, records

# Examples per operation: enough to hit every parameter's edges, few enough for CI.
MAX_EXAMPLES = 30


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenApiSchema]:
    # events_max_seconds=0: an event stream answers at once instead of staying open.
    app = make_app(tmp_path_factory.mktemp("schema"), events_max_seconds=0.0)
    with TestClient(app) as client:
        client.post("/api/articles", content=jsonl(records()), headers=AUTH)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_schema_no_server_errors(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=AUTH)
