"""SQL statements per scanner booking (issue #17 item 1), as a handheld sends it: a keeper's
device token, no superuser shortcut. The first booking moves the work order to "in
progress" and stamps the token's first use; the one after it is what a scanner pays. The
counts include the pair around the service's transaction (here SAVEPOINT/RELEASE inside
the test's transaction; BEGIN/COMMIT in production, which Django counts alike).

Issue-scan: the token, the user's roles and permissions (one query), the lot label, where
it is stocked, the work order in scope, then the transaction: the work order locked with
its requirements and what was issued, the document number, the issue, the month (shared),
the work order (key share), the balance locked and updated, the ledger row, the deferred
checks, and the audit chain head locked, appended to and moved."""

import pytest

from returns.services.return_drafting import return_submit
from returns.services.return_qc import return_qc_verdict
from tests.api.test_handheld_session import handheld
from tests.builders import location
from tests.returns.builders import approve_all, draft_return, line

pytestmark = pytest.mark.django_db

ISSUE_SCAN, ISSUE, TRANSFER_SCAN = 19, 20, 17
# 42 for the receipt and posting, + 1 (#19 items 3-4, R-J3): on posting, finance reads the
# active points version's mappings of the slip's reason (posted and late), the one read that
# tells whether an entry is due, since an administrator may map any reason in a new version.
# Its lines and the cells are read only when one is.
RECEIVE_SCAN = 42 + 1


@pytest.fixture
def keeper(work_order, user):
    work_order.workshop.members.add(user)
    return handheld(user, "keeper", "HH-30")


def booked(client, url, body):
    response = client.post(url, body, format="json")
    assert response.status_code in (200, 201), response.json()
    return response


@pytest.mark.parametrize("where", [{}, {"location": "LOC:A"}])
def test_issue_scan(keeper, work_order, django_assert_max_num_queries, where):
    url = f"/api/v1/work-orders/{work_order.pk}/issue-scan/"
    booked(keeper, url, {"code": "L:TUBE|T1", "quantity": "1"})
    with django_assert_max_num_queries(ISSUE_SCAN):
        booked(keeper, url, {"code": "L:TUBE|T1", "quantity": "1", **where})


def test_issue(keeper, work_order, django_assert_max_num_queries):
    url = f"/api/v1/work-orders/{work_order.pk}/issue/"
    body = {"lines": [{"material": "TUBE", "lot": "T1", "location": "A", "quantity": "1"}]}
    booked(keeper, url, body)
    with django_assert_max_num_queries(ISSUE):
        booked(keeper, url, body)


def test_transfer_scan(keeper, tube, django_assert_max_num_queries):
    location("B")
    body = {"from_location": "LOC:A", "code": "L:TUBE|T1", "to_location": "LOC:B", "quantity": "1"}
    booked(keeper, "/api/v1/stock/transfer-scan/", body)
    with django_assert_max_num_queries(TRANSFER_SCAN):
        booked(keeper, "/api/v1/stock/transfer-scan/", body)


def test_receive_scan(keeper, work_order, clerk, qc, tube, lot, django_assert_max_num_queries):
    """Receipt and posting of a return slip, two audited steps in one transaction."""
    request = draft_return(work_order, clerk, [line(tube, 20, lot=lot)])
    request = return_submit(return_request=request, actor=clerk)
    approve_all(request)
    verdicts = [{"line": ln, "verdict": "good"} for ln in request.lines.all()]
    request = return_qc_verdict(return_request=request, verdicts=verdicts, actor=qc)
    keeper.post("/api/v1/scan/", {"code": "M:TUBE"}, format="json")  # the token's first use
    body = {"slip": request.number, "lines": [{"code": "L:TUBE|T1", "quantity": "20"}]}
    with django_assert_max_num_queries(RECEIVE_SCAN):
        response = booked(keeper, "/api/v1/returns/receive-scan/", body)
    assert response.json()["state"] == "posted"
