"""Object scope on every workshop-bound API list (issue #7): a clerk of another workshop
finds none of WS1's rows in the list and gets 404 for each by id; a WS1 member sees them."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from returns.models import ReplenishRequest, ReplenishState, ReturnRequest, ShortageSlip
from tests.builders import with_roles
from tests.factories import UserFactory, WorkshopFactory
from tests.returns.builders import draft_return, issued_replenishment, line
from workorders.models import MaterialIssue, WorkOrder

pytestmark = pytest.mark.django_db

# Router basename → the model whose rows it lists.
SCOPED = {
    "return": ReturnRequest,
    "replenishment": ReplenishRequest,
    "shortage": ShortageSlip,
    "workorder": WorkOrder,
    "materialissue": MaterialIssue,
}


@pytest.fixture
def ws1_rows(clerk, work_order, tube, lot):
    """WS1's rows: WO-1 with its issue, a draft return, and a replenishment of 600 tubes
    issued short (400 on hand) with its shortage slip."""
    draft_return(work_order, clerk, [line(tube, 5, lot=lot)])
    short = issued_replenishment(work_order, clerk, tube, 600)
    assert short.state == ReplenishState.SHORT
    return {
        basename: list(model.objects.values_list("pk", flat=True))
        for basename, model in SCOPED.items()
    }


def client_for(user):
    client = APIClient(HTTP_X_DEVICE_ID="SEC-3")
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("basename", SCOPED)
def test_another_workshops_rows_are_not_listed_and_404(basename, ws1_rows, work_order):
    ids = ws1_rows[basename]
    assert ids, f"the scenario has no {basename} rows"
    stranger = with_roles(
        UserFactory(username="clerk-ws2"), "clerk", workshops=[WorkshopFactory(code="WS2")]
    )
    member = with_roles(UserFactory(username="clerk-ws1"), "clerk", workshops=[work_order.workshop])
    listed = client_for(stranger).get(reverse(f"{basename}-list")).json()
    assert listed["results"] == []
    for pk in ids:
        url = reverse(f"{basename}-detail", args=[pk])
        assert client_for(stranger).get(url).status_code == 404
        assert client_for(member).get(url).status_code == 200
