"""Random bodies on write endpoints (issue #7): never a 5xx, and a refused request (4xx)
writes nothing — no ledger entry, no audit event, no request row."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from audit.models import AuditEvent
from inventory.models import LedgerEntry
from returns.models import ReturnRequest
from tests.builders import with_roles

pytestmark = pytest.mark.django_db

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.text(max_size=30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["TUBE", "T1", "A", "WO-1", "LEFTOVER", "-1", "1e9"]),
)
bodies = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=12,
)
keyed = st.fixed_dictionaries(
    {},
    optional={
        key: bodies
        for key in (
            "material",
            "location",
            "quantity",
            "lot",
            "batch_no",
            "work_order",
            "reason",
            "lines",
            "explanation",
            "serials",
        )
    },
)


def counts():
    return LedgerEntry.objects.count(), AuditEvent.objects.count(), ReturnRequest.objects.count()


@pytest.fixture
def clients(user, clerk, work_order, shelf):
    with_roles(clerk, "clerk", workshops=[work_order.workshop])
    keeper, requester = APIClient(), APIClient()
    keeper.force_authenticate(user)
    requester.force_authenticate(clerk)
    return {"/api/v1/stock/receive/": keeper, "/api/v1/returns/": requester}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    url=st.sampled_from(["/api/v1/stock/receive/", "/api/v1/returns/"]),
    body=st.one_of(keyed, bodies),
)
def test_random_bodies_never_5xx_and_refusals_write_nothing(clients, url, body):
    before = counts()
    response = clients[url].post(url, body, format="json")
    assert response.status_code < 500, (body, response.content[:300])
    if 400 <= response.status_code < 500:
        assert counts() == before, body
