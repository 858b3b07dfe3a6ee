"""Schemathesis on the coach's JSON API: whatever the body, never a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from roltrap.core import Roltrap

schema = schemathesis.pytest.from_fixture("coach_schema")


@pytest.fixture(scope="module")
def coach_schema(triage_rt: Roltrap) -> schemathesis.BaseSchema:
    from roltrap.web.app import create_app

    return schemathesis.openapi.from_asgi("/openapi.json", create_app(triage_rt))


@schema.include(path_regex=r"^/coach").parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_coach_api_never_fails(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, response.text[:300]
    # Random answers and random CSVs are rightly refused with 422.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])
