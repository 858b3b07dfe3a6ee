"""Schemathesis: fuzz the documented JSON API from the app's own OpenAPI; no 500s anywhere."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from roltrap.core import Roltrap
from roltrap.web.app import create_app

schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(scope="module")
def api_schema(rt_ro: Roltrap) -> schemathesis.BaseSchema:
    app = create_app(rt_ro)
    # The PDF is the same profile as /wijk/{code}.json, rendered slowly; fuzz the JSON only.
    return schemathesis.openapi.from_asgi("/openapi.json", app)


# Other areas' routers (/coach, /roltrap) fuzz their own routes; the PDF is the JSON profile, slowly.
@schema.include(path_regex=r"^/(gemeente|kaart|wijk|vergelijk|bronnen|health)").exclude(
    path_regex=r"\.pdf$").parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, response.text[:300]
    # A well-formed but unknown indicator or scheme/unit mismatch is a deliberate 422.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])
