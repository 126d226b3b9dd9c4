"""Fuzzing (issue 7, item 10): schemathesis generates requests for every operation of /openapi.json,
authenticated as an organizer who has an activity, a survey and a participant, a few examples per
operation (derandomized, so CI is repeatable): no answer may be a 5xx (a crash inside the app fails
the test too), and every answer must match the documented schema. Runs in-process (ASGI) on the
rolled-back test database of each backend.
"""

import os

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlmodel import Session

from app.main import MAX_ID
from app.main import app as fastapi_app
from app.security import issue_api_token
from tests.surveys.survey_factories import add_person, issue, make_survey, make_world, waves

# Bounded for CI (about 10 requests per operation, ~1,000 in all): the coverage phase's boundary
# values of valid inputs (huge ids, empty strings, limits) plus a few random examples.
# ENCUENTRO_FUZZ=deep adds invalid inputs to the coverage phase and 50 random examples.
DEEP = os.environ.get("ENCUENTRO_FUZZ") == "deep"
EXAMPLES = 50 if DEEP else 3
CONFIG = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"generation": {"mode": "all" if DEEP else "positive"}}}}
)

# The app object itself: the `app` fixture points its session at the test's rolled-back database.
schema = schemathesis.openapi.from_asgi("/openapi.json", fastapi_app, config=CONFIG)


@pytest.fixture
def organizer_headers(db: Session) -> dict[str, str]:
    world = make_world(db, title="Fuzzed activity")
    add_person(db, world)
    survey = make_survey(db, world)
    issue(db, world, waves(db, survey)["pre"])
    organizer = world.organizer
    assert organizer.id is not None
    # the token the login endpoint would give, without an Argon2 check per operation
    token = issue_api_token(user_id=organizer.id, auth_version=organizer.auth_version)
    return {"Authorization": f"Bearer {token}"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_5xx_or_off_schema(case, app, organizer_headers):  # type: ignore[no-untyped-def]
    case.call_and_validate(
        headers=organizer_headers, checks=[not_a_server_error, response_schema_conformance]
    )


def test_domain_errors_have_the_documented_422_shape(client: TestClient, organizer_headers):
    """A domain rule's 422 (`{"detail": "<message>"}`) is one of the documented shapes."""
    response = client.post(
        "/api/v1/activities", json={"title": "", "kind": "cooking"}, headers=organizer_headers
    )
    assert response.status_code == 422
    documented = client.get("/openapi.json").json()["components"]["schemas"]
    shapes = documented["HTTPValidationError"]["properties"]["detail"]["anyOf"]
    detail = response.json()["detail"]
    assert {"type": "string"} in shapes and isinstance(detail, str | list), detail


@pytest.mark.parametrize("huge", [0, -1, MAX_ID + 1, 2**63, 2**70])
def test_an_id_no_row_can_have_is_a_404(client: TestClient, organizer_headers, huge: int):
    """Not an OverflowError (SQLite: 500) nor "integer out of range" (PostgreSQL: 503)."""
    for url in (
        f"/api/v1/participants/{huge}",
        f"/api/v1/surveys/{huge}/instrument",
        f"/activities/{huge}",
    ):
        response = client.get(url, headers=organizer_headers)
        assert response.status_code == 404, (url, response.status_code)
