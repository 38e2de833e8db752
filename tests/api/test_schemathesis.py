"""Every operation of the OpenAPI schema, called through WSGI with generated data (bounded,
derandomized) over the returns scenario's rows: no 5xx, and every response matches the
schema, errors included (issue #12).

Schemathesis' phases, as its CLI runs them: **examples**, **coverage** (boundary and invalid
values of every parameter and body field, unexpected methods such as OPTIONS), **fuzzing**
(Hypothesis), then **stateful** (chains of calls linked by the ids one returns and the next
takes). The whole file stays within about a minute on PostgreSQL: fuzzing draws a few cases
per operation, the coverage phase runs a fixed, spread-out sample of its cases (every
``COVERAGE_SAMPLE``-th by a stable hash), the stateful phase a few short chains.

One test per phase walks all operations so the scenario is built once (a test per operation
would rebuild it 150 times).
"""

import zlib

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.utils.crypto import get_random_string
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.hypothesis.builder import (
    HypothesisTestConfig,
    HypothesisTestMode,
    create_test,
)
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.factories import UserFactory

CHECKS = [not_a_server_error, response_schema_conformance]
COVERAGE_SAMPLE = 40  # run one coverage case in this many (~280 of ~11,000)
BOUNDED = settings(
    max_examples=3,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
STATEFUL = settings(BOUNDED, max_examples=8, stateful_step_count=6, phases=[Phase.generate])
MODES = [HypothesisTestMode.EXAMPLES, HypothesisTestMode.COVERAGE, HypothesisTestMode.FUZZING]


@pytest.fixture
def session(db, work_order):
    """A superuser's session over the returns scenario's rows: API tokens are scoped by
    route and method (issue #12), a session reaches every operation."""
    browser = Client()
    browser.force_login(UserFactory(username="fuzzer", is_superuser=True, is_staff=True))
    session_key = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    csrf = get_random_string(32)
    # As Django's test client does: the raw WSGI app must not close the test's connection
    # (and with it the test transaction) at the end of each request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield {
        "cookies": {
            django_settings.SESSION_COOKIE_NAME: session_key,
            django_settings.CSRF_COOKIE_NAME: csrf,
        },
        "headers": {"X-CSRFToken": csrf, "X-Device-Id": "FUZZ"},
    }
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def api_schema():
    schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(public=True))
    schema.app = get_wsgi_application()
    return schema


def sampled(case) -> bool:
    """Every case of the other phases; a stable ``1/COVERAGE_SAMPLE`` of the coverage ones."""
    phase = case.meta.phase if case.meta else None
    if phase is None or phase.name != "coverage":
        return True
    data = phase.data
    key = f"{case.operation.label} {data.description} {data.parameter} {data.location}"
    return zlib.crc32(key.encode()) % COVERAGE_SAMPLE == 0


def run(schema, operation, session):
    def call(case):
        if sampled(case):
            case.call_and_validate(**session, checks=CHECKS)

    config = HypothesisTestConfig(project=schema.config, modes=MODES, settings=BOUNDED)
    create_test(operation=operation, test_func=call, config=config)()


def test_every_operation_answers_within_its_schema(session):
    schema = api_schema()
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        try:
            run(schema, operation, session)
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - reported below
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)


def test_chains_of_calls_answer_within_the_schema(session):
    """The stateful phase: links inferred from the schema feed one answer's ids to the next
    call (a created return's id to its submit, …)."""
    machine = api_schema().as_state_machine()

    class Chains(machine):
        def get_call_kwargs(self, case):
            return session

        def validate_response(self, response, case, additional_checks=(), **kwargs):
            case.validate_response(response, checks=CHECKS)

    Chains.run(settings=STATEFUL)
