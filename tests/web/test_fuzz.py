"""Schemathesis: fuzz the documented JSON API from the app's own OpenAPI; no 500s anywhere."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from roltrap.core import Roltrap
from roltrap.web.app import create_app

schema = schemathesis.pytest.from_fixture("api_schema")

import pytest  # noqa: E402


@pytest.fixture(scope="module")
def api_schema(rt_ro: Roltrap) -> schemathesis.BaseSchema:
    app = create_app(rt_ro)
    # The PDF is the same profile as /wijk/{code}.json, rendered slowly; fuzz the JSON only.
    return schemathesis.openapi.from_asgi("/openapi.json", app).exclude(path_regex=r"\.pdf$")


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, response.text[:300]
    case.validate_response(response)
