"""``seed_demo`` builds a consistent demo factory and is idempotent."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from alerts.checks import leftover_overdue_findings
from approvals.models import ApprovalStep, StepState
from audit.models import AuditEvent
from inventory.models import LedgerEntry, MovementType, StockBalance
from portal.demo import USERS
from returns.models import DisposalState, ScrapDisposal
from workorders.models import WorkOrder, WorkOrderStatus

pytestmark = pytest.mark.django_db


def counts():
    return (
        LedgerEntry.objects.count(),
        StockBalance.objects.count(),
        WorkOrder.objects.count(),
        AuditEvent.objects.count(),
    )


def test_seed_demo_is_consistent_and_idempotent(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "s3cret-demo")
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    call_command("check_ledger")
    call_command("verify_audit")
    users = get_user_model().objects.filter(username__in=USERS)
    assert sorted(u.username for u in users) == sorted(USERS)
    keeper = users.get(username="keeper")
    assert keeper.check_password("s3cret-demo") and keeper.groups.get().name == "keeper"
    assert users.get(username="admin").is_superuser
    assert set(WorkOrder.objects.values_list("status", flat=True)) == {
        WorkOrderStatus.PLANNED,
        WorkOrderStatus.RELEASED,
        WorkOrderStatus.IN_PROGRESS,
        WorkOrderStatus.COMPLETED,
    }
    assert StockBalance.objects.filter(quantity__gt=0).count() >= 10
    pending = ApprovalStep.objects.filter(state=StepState.PENDING)
    assert sorted(pending.values_list("tier", flat=True)) == [
        "qc",  # the scrap disposal waiting for QC (R-D1)
        "supervisor",
        "workshop_director",
    ]
    states = sorted(ScrapDisposal.objects.values_list("state", flat=True))
    assert states == [DisposalState.POSTED, DisposalState.SUBMITTED]
    assert LedgerEntry.objects.filter(movement_type=MovementType.SCRAP).exists()


def test_the_demo_holds_a_work_order_with_overdue_leftovers():
    """R-W5's alert has something to find in the demo (issue #14's acceptance line)."""
    call_command("seed_demo")
    [finding] = leftover_overdue_findings(timezone.now())
    assert finding.params["work_order"] == "WO-DEMO-005"
    assert "AL-TUBE-25" in finding.params["materials"]
    call_command("check_ledger")
    call_command("verify_audit")
