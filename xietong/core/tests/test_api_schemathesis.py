"""schemathesis against /api/v1/openapi.json: no operation answers 5xx or breaks its own documented schema.

Every operation of the OpenAPI document gets generated requests (valid and invalid parameters and bodies)
as the coordination office and as a city's staff, through the WSGI application with a real database. The
number of examples is small and fixed, so the run stays bounded; hypothesis keeps no example database.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from xietong.conftest import make_user
from xietong.core.actions import do_create_api_token
from xietong.core.models import Role

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4"))
# status_code_conformance: every status an operation answers is one its OpenAPI entry documents.
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@pytest.fixture
def bearers(cluster):
    office = make_user("schemathesis-office", cluster["office"], Role.MANAGER)
    city = make_user("schemathesis-city", cluster["taiyuan"], Role.MANAGER)
    return {
        "office": do_create_api_token(user=office, name="schemathesis")[1],
        "city": do_create_api_token(user=city, name="schemathesis")[1],
    }


@pytest.fixture
def wsgi_application():
    """The project's WSGI application, keeping the test's database connection between requests.

    A request's end closes the database connection (close_old_connections); inside the test's
    transaction that would lose it, so the test client's own rule applies: not while testing.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_no_operation_fails_or_breaks_its_schema(bearers, wsgi_application):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_application)
    failures = []
    counts = {"operations": 0, "cases": 0}

    for result in schema.get_all_operations():
        operation = result.ok()
        counts["operations"] += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            for who, token in bearers.items():
                counts["cases"] += 1
                response = case.call(headers={"Authorization": f"Bearer {token}"})
                try:
                    case.validate_response(response, checks=CHECKS)
                except (Exception, BaseExceptionGroup) as error:  # collected, so one run names every failing operation
                    failures.append(f"{who} {case.method} {case.formatted_path}: {str(error)[:300]}")

        run()
    print(f"schemathesis: {counts['operations']} operations, {counts['cases']} cases, {len(failures)} failures")
    assert failures == [], "\n".join(failures)
