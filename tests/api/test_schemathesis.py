"""Every operation of the OpenAPI schema, called through WSGI with generated data (bounded,
derandomized) over the returns scenario's rows: no 5xx, and every response matches the
schema, errors included.

One test walks all operations so the scenario is built once (a test per operation would
rebuild it 150 times); each operation is one small Hypothesis run.
"""

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.utils.crypto import get_random_string
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.factories import UserFactory

CHECKS = [not_a_server_error, response_schema_conformance]
BOUNDED = settings(
    max_examples=5,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


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
        "cookies": {django_settings.SESSION_COOKIE_NAME: session_key,
                    django_settings.CSRF_COOKIE_NAME: csrf},
        "headers": {"X-CSRFToken": csrf, "X-Device-Id": "FUZZ"},
    }
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def operations():
    schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(public=True))
    schema.app = get_wsgi_application()
    return [result.ok() for result in schema.get_all_operations()]


def run(operation, session):
    @BOUNDED
    @given(case=operation.as_strategy())
    def calls(case):
        case.call_and_validate(**session, checks=CHECKS)

    calls()


def test_every_operation_answers_within_its_schema(session):
    failures = []
    for operation in operations():
        try:
            run(operation, session)
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - reported below
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
