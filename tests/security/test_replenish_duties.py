"""Segregation of duties on replenishments (issue #7): the applicant never issues their own
replenishment, even holding the keeper's role; another keeper does."""

import pytest
from rest_framework.test import APIClient

from core.errors import StateConflict
from inventory.models import LedgerEntry
from returns.models import ReplenishState
from returns.services.issuing import replenish_issue
from returns.services.replenish import replenish_submit
from tests.builders import with_roles
from tests.returns.builders import approve_all, line, replenishment

pytestmark = pytest.mark.django_db


def test_the_applicant_never_issues_their_own_replenishment(clerk, user, work_order, tube):
    with_roles(clerk, "keeper")
    request = replenish_submit(
        replenish_request=replenishment(work_order, clerk, [line(tube, 2)]), actor=clerk
    )
    approve_all(request)
    entries = LedgerEntry.objects.count()
    with pytest.raises(StateConflict, match="someone else must issue"):
        replenish_issue(replenish_request=request, actor=clerk)
    api = APIClient(HTTP_X_DEVICE_ID="SEC-2")
    api.force_authenticate(clerk)
    assert api.post(f"/api/v1/replenishments/{request.pk}/issue/").status_code == 409
    request.refresh_from_db()
    assert request.state == ReplenishState.APPROVED
    assert LedgerEntry.objects.count() == entries
    assert replenish_issue(replenish_request=request, actor=user).state == ReplenishState.ISSUED
