"""What the lean scanner booking (issue #17) still guarantees with fewer statements: the work
order fetched once, in scope and locked, by the service (404 out of scope, as before); the
lot label resolved with its source in one query and the long way when that finds nothing;
the balance moved by a guarded UPDATE that refuses to go below zero; the token's user with
its permissions and roles from the token's query."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from core.api.authentication import api_key_hash, token_with_access
from inventory.models import LedgerEntry, StockBalance
from org.access import user_roles
from org.services import api_token_issue, api_token_revoke
from tests.api.test_handheld_session import handheld
from tests.api.test_scan_flows import written
from tests.builders import location, receive, with_roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper(work_order, user):
    work_order.workshop.members.add(user)
    return handheld(user, "keeper", "HH-31")


def issue_scan(client, work_order_id, **body):
    return client.post(f"/api/v1/work-orders/{work_order_id}/issue-scan/", body, format="json")


def test_an_order_outside_the_clerks_workshops_is_404_and_books_nothing(work_order):
    outsider = handheld(UserFactory(username="clerk9"), "clerk", "HH-32")  # not in WS1
    before = written()
    response = issue_scan(outsider, work_order.pk, code="L:TUBE|T1", quantity="1")
    assert response.status_code == 404
    assert written() == before


@pytest.mark.parametrize("work_order_id", ["999999", "abc"])
def test_an_unknown_or_malformed_order_id_is_404(keeper, work_order_id):
    response = issue_scan(keeper, work_order_id, code="L:TUBE|T1", quantity="1")
    assert response.status_code == 404


def test_more_than_on_hand_at_the_scanned_shelf_is_refused_by_the_guarded_update(
    keeper, work_order
):
    before = written()
    response = issue_scan(
        keeper, work_order.pk, code="L:TUBE|T1", quantity="401", location="LOC:A", borrowed=True
    )
    assert response.status_code == 400, response.json()
    assert "on hand 400, needed 401" in str(response.json()["quantity"])
    assert written() == before


def test_the_last_units_can_be_issued_and_the_balance_reaches_zero(keeper, work_order, tube):
    response = issue_scan(
        keeper, work_order.pk, code="L:TUBE|T1", quantity="400", location="LOC:A", borrowed=True
    )
    assert response.status_code == 201, response.json()
    assert StockBalance.objects.get(material=tube, location__code="A").quantity == 0
    entry = LedgerEntry.objects.get(doc_id=response.json()["number"])
    assert (entry.quantity, entry.work_order_id) == (Decimal(-400), work_order.pk)


def test_two_shelves_holding_enough_ask_for_the_location(keeper, work_order, tube, user, lot):
    receive(tube, location("B"), 50, user, batch_no="T1")
    response = issue_scan(keeper, work_order.pk, code="L:TUBE|T1", quantity="10")
    assert response.status_code == 400
    assert "scan the location" in str(response.json()["location"])
    response = issue_scan(keeper, work_order.pk, code="L:TUBE|T1", quantity="60")
    assert response.status_code == 201, response.json()  # only A holds 60
    assert LedgerEntry.objects.get(doc_id=response.json()["number"]).location.code == "A"


def test_a_bare_location_code_is_resolved_the_long_way(keeper, work_order):
    response = issue_scan(keeper, work_order.pk, code="L:TUBE|T1", quantity="1", location="A")
    assert response.status_code == 201, response.json()


def test_the_token_query_brings_the_users_permissions_and_roles(user, django_assert_num_queries):
    with_roles(user, "keeper")
    user.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    _token, raw_key = api_token_issue(
        name="HH-33", kind="device", user=user, actor=user, device_id="HH-33"
    )
    with django_assert_num_queries(1):
        token = token_with_access(api_key_hash(raw_key))
    with django_assert_num_queries(0):
        assert token.user == user and token.device_id == "HH-33"
        assert token.user.has_perm("audit.view_auditevent")  # the user's own
        assert token.user.has_perm("inventory.add_ledgerentry")  # the keeper group's
        assert not token.user.has_perm("finance.add_monthend")
        assert user_roles(token.user) == {"keeper"}
    api_token_revoke(token=token, actor=user)
    assert token_with_access(api_key_hash(raw_key)) is None
