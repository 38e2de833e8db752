"""Each alert condition (R-J2, R-W5, R-A7, R-L4, R-L5): raised once, not repeated while the
condition holds, cleared when it is resolved. The checks take ``now``, so "25 hours later" is
a parameter, not a sleep or a back-dated row."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone

from alerts.checks import alerts_check
from alerts.models import Alert, AlertKind, AlertLevel
from alerts.tasks import alerts_check_daily, alerts_check_hourly
from approvals.models import Delegation, TierAssignment
from approvals.services import approval_decide
from audit.models import AuditEvent
from inventory.services import stock_adjust
from returns.models import ReturnState, Verdict
from returns.services.return_drafting import return_submit
from returns.services.return_qc import return_qc_verdict
from returns.services.return_receipt import return_receive
from tests.builders import batch_material, days_from_today, receive
from tests.factories import MaterialFactory, UserFactory
from tests.returns.builders import approve_all, draft_return, line, pending_step, tier_holder
from workorders.services.closing import work_order_declare_leftover
from workorders.services.issuing import IssueLine, borrow_regularise, work_order_issue
from workorders.services.lifecycle import work_order_complete, work_order_report_output

pytestmark = pytest.mark.django_db


def run(kind, hours=0):
    """Run one check ``hours`` from now; ``(raised, cleared)``."""
    return alerts_check([kind], now=timezone.now() + timedelta(hours=hours))[kind]


def the_alert(kind):
    return Alert.objects.get(kind=kind)


def notified(alert):
    return sorted(alert.notifications.values_list("user__username", flat=True))


# ---------------------------------------------------------------------------- R-W5 leftovers


@pytest.fixture
def completed(work_order, user):
    """76 good + 4 scrap of 100: 32 TUBE are leftover (200 issued, 160 + 8 allowed)."""
    work_order_report_output(work_order=work_order, good_qty=76, scrap_qty=4, actor=user)
    return work_order_complete(work_order=work_order, actor=user)


def test_leftover_alert_raised_once_after_24h_and_cleared_when_declared(
    completed, tube, user, leader, clerk, keeper, django_capture_on_commit_callbacks, mailoutbox
):
    assert run(AlertKind.LEFTOVER_OVERDUE, hours=23) == (0, 0)
    with django_capture_on_commit_callbacks(execute=True):
        assert run(AlertKind.LEFTOVER_OVERDUE, hours=25) == (1, 0)
    alert = the_alert(AlertKind.LEFTOVER_OVERDUE)
    assert alert.subject == completed and alert.is_open
    assert alert.params["materials"] == "TUBE 32"
    assert "WO-1" in alert.message and "TUBE 32" in alert.message
    assert notified(alert) == ["clerk-a", "keeper-a", "leader-a"]
    assert sorted(m.to[0] for m in mailoutbox) == ["clerk@example.com", "keeper@example.com"]

    assert run(AlertKind.LEFTOVER_OVERDUE, hours=26) == (0, 0)
    assert Alert.objects.count() == 1 and alert.notifications.count() == 3

    work_order_declare_leftover(
        work_order=completed, material=tube, quantity=32, note="used for rework", actor=user
    )
    assert run(AlertKind.LEFTOVER_OVERDUE, hours=27) == (0, 1)
    alert.refresh_from_db()
    assert alert.cleared_at is not None
    assert AuditEvent.objects.filter(action="alert.clear", object_id=str(alert.pk)).exists()


def test_no_leftover_alert_when_everything_was_consumed(work_order, user):
    work_order_report_output(work_order=work_order, good_qty=95, scrap_qty=5, actor=user)
    work_order_complete(work_order=work_order, actor=user)
    assert run(AlertKind.LEFTOVER_OVERDUE, hours=48) == (0, 0)


# ---------------------------------------------------------------------------- R-J2 returns


def test_approved_return_not_received_alerts_keeper_and_applicant_until_received(
    work_order, tube, clerk, keeper, qc_user
):
    request = draft_return(work_order, clerk, [line(tube, 10)])
    request = return_submit(return_request=request, actor=clerk)
    approve_all(request)
    request.refresh_from_db()
    assert request.state == ReturnState.REVIEWED

    assert run(AlertKind.RETURN_NOT_RECEIVED, hours=23) == (0, 0)
    assert run(AlertKind.RETURN_NOT_RECEIVED, hours=25) == (1, 0)
    assert run(AlertKind.RETURN_NOT_RECEIVED, hours=26) == (0, 0)
    alert = the_alert(AlertKind.RETURN_NOT_RECEIVED)
    assert notified(alert) == ["clerk-a", "keeper-a"]

    verdicts = [{"line": ln, "verdict": Verdict.GOOD} for ln in request.lines.all()]
    return_qc_verdict(return_request=request, verdicts=verdicts, actor=qc_user)
    assert run(AlertKind.RETURN_NOT_RECEIVED, hours=27) == (0, 0)  # inspected, still waiting
    return_receive(return_request=request, lines=[], actor=keeper)
    assert run(AlertKind.RETURN_NOT_RECEIVED, hours=28) == (0, 1)
    assert not the_alert(AlertKind.RETURN_NOT_RECEIVED).is_open


def test_return_receipt_sla_comes_from_settings(work_order, tube, clerk, settings):
    settings.RETURN_RECEIPT_SLA_HOURS = 2
    request = return_submit(
        return_request=draft_return(work_order, clerk, [line(tube, 1)]), actor=clerk
    )
    approve_all(request)
    assert run(AlertKind.RETURN_NOT_RECEIVED, hours=3) == (1, 0)


# ---------------------------------------------------------------------------- R-W3 borrow


def test_borrowed_issue_not_regularised_in_24h_alerts_until_regularised(
    work_order, tube, shelf, user, keeper, controller
):
    issue = work_order_issue(
        work_order=work_order, actor=user, borrowed=True, lines=[IssueLine(tube, 50, shelf)]
    )
    assert run(AlertKind.BORROW_OVERDUE, hours=23) == (0, 0)
    assert run(AlertKind.BORROW_OVERDUE, hours=25) == (1, 0)
    assert run(AlertKind.BORROW_OVERDUE, hours=26) == (0, 0)
    alert = the_alert(AlertKind.BORROW_OVERDUE)
    assert alert.subject == issue
    assert notified(alert) == ["keeper-a", "keeper1", "mc-a"]  # keeper1 issued it

    borrow_regularise(issue=issue, actor=user, note="RP-1")
    assert run(AlertKind.BORROW_OVERDUE, hours=27) == (0, 1)
    assert not the_alert(AlertKind.BORROW_OVERDUE).is_open


# ---------------------------------------------------------------------------- R-A7 approvals


@pytest.fixture
def approvers(workshop, clerk):
    """Supervisor of WS1 (with a deputy today), the workshop director above, and the
    requester also holding the supervisor tier plant-wide (never reminded of their own)."""
    supervisor = tier_holder("supervisor", workshop)
    deputy = UserFactory(username="deputy")
    today = timezone.localdate()
    Delegation.objects.create(
        principal=supervisor, delegate=deputy, starts=today, ends=today + timedelta(days=5)
    )
    TierAssignment.objects.create(user=clerk, tier="supervisor")
    tier_holder("workshop_director", workshop)
    tier_holder("workshop_director")  # plant-wide
    tier_holder("production_manager")  # two tiers up: not told
    return supervisor


def test_overdue_approval_reminds_then_escalates_once_and_clears_when_decided(
    work_order, tube, clerk, approvers
):
    request = return_submit(
        return_request=draft_return(work_order, clerk, [line(tube, 5)]), actor=clerk
    )
    step = pending_step(request)
    kinds = [AlertKind.APPROVAL_OVERDUE, AlertKind.APPROVAL_ESCALATED]
    later = timezone.now() + timedelta(hours=25)

    assert alerts_check(kinds, now=later - timedelta(hours=2)) == {k: (0, 0) for k in kinds}
    assert alerts_check(kinds, now=later) == {kinds[0]: (1, 0), kinds[1]: (0, 0)}
    reminder = the_alert(AlertKind.APPROVAL_OVERDUE)
    assert reminder.subject == step and reminder.level == AlertLevel.REMINDER
    assert notified(reminder) == ["deputy", "supervisor-WS1"]

    assert alerts_check(kinds, now=later + timedelta(hours=24)) == {
        kinds[0]: (0, 0),
        kinds[1]: (1, 0),
    }
    escalation = the_alert(AlertKind.APPROVAL_ESCALATED)
    assert escalation.level == AlertLevel.ESCALATION
    assert notified(escalation) == ["deputy", "workshop_director-WS1", "workshop_director-plant"]
    assert alerts_check(kinds, now=later + timedelta(hours=30)) == {k: (0, 0) for k in kinds}

    approval_decide(step=step, actor=approvers, approve=True)
    assert alerts_check(kinds, now=later + timedelta(hours=31)) == {k: (0, 1) for k in kinds}
    assert not Alert.objects.filter(cleared_at__isnull=True).exists()


def test_escalation_delay_comes_from_settings(work_order, tube, clerk, approvers, settings):
    settings.APPROVAL_ESCALATE_HOURS = 1
    return_submit(return_request=draft_return(work_order, clerk, [line(tube, 5)]), actor=clerk)
    assert run(AlertKind.APPROVAL_ESCALATED, hours=24.5) == (0, 0)  # due after 24 h
    assert run(AlertKind.APPROVAL_ESCALATED, hours=25.5) == (1, 0)


# ---------------------------------------------------------------------------- R-L5 expiry


def test_lot_near_expiry_with_stock_alerts_until_its_stock_is_gone(shelf, user, keeper, qc_user):
    glue = batch_material(code="GLUE")
    receive(glue, shelf, 20, user, batch_no="G1", expiry_date=days_from_today(10))
    receive(glue, shelf, 20, user, batch_no="G2", expiry_date=days_from_today(200))
    assert run(AlertKind.LOT_EXPIRING) == (1, 0)
    assert run(AlertKind.LOT_EXPIRING) == (0, 0)
    alert = the_alert(AlertKind.LOT_EXPIRING)
    lot = glue.lots.get(batch_no="G1")
    assert alert.subject == lot
    assert alert.params == {
        "batch_no": "G1",
        "material": "GLUE",
        "expiry_date": days_from_today(10).isoformat(),
        "on_hand": "20",
    }
    assert notified(alert) == ["keeper-a", "qc-a"]

    stock_adjust(
        material=glue, location=shelf, quantity=-20, reason="scrapped", actor=user, lot=lot
    )
    assert run(AlertKind.LOT_EXPIRING) == (0, 1)
    assert not the_alert(AlertKind.LOT_EXPIRING).is_open


def test_expiry_warning_window_comes_from_settings(shelf, user, settings):
    settings.EXPIRY_WARNING_DAYS = 5
    glue = batch_material(code="GLUE")
    receive(glue, shelf, 20, user, batch_no="G1", expiry_date=days_from_today(10))
    assert run(AlertKind.LOT_EXPIRING) == (0, 0)


# ---------------------------------------------------------------------------- R-L4 safety stock


def test_below_safety_stock_suggests_the_missing_quantity_and_clears_when_restocked(
    shelf, user, controller
):
    bolt = MaterialFactory(
        code="BOLT", lead_time_days=5, emergency_purchase_days=2, daily_usage=Decimal(10)
    )
    MaterialFactory(code="NUT")  # no safety stock: never alerted
    receive(bolt, shelf, 30, user)
    assert run(AlertKind.BELOW_SAFETY_STOCK) == (1, 0)
    assert run(AlertKind.BELOW_SAFETY_STOCK) == (0, 0)
    alert = the_alert(AlertKind.BELOW_SAFETY_STOCK)
    assert alert.subject == bolt
    assert (alert.params["safety_stock"], alert.params["on_hand"]) == ("70", "30")
    assert alert.params["suggested"] == "40"
    assert notified(alert) == ["mc-a"]

    receive(bolt, shelf, 50, user)
    assert run(AlertKind.BELOW_SAFETY_STOCK) == (0, 1)
    assert not the_alert(AlertKind.BELOW_SAFETY_STOCK).is_open


def test_a_condition_that_returns_after_clearing_raises_a_new_alert(shelf, user):
    bolt = MaterialFactory(code="BOLT", lead_time_days=1, daily_usage=Decimal(10))
    assert run(AlertKind.BELOW_SAFETY_STOCK) == (1, 0)
    receive(bolt, shelf, 10, user)
    assert run(AlertKind.BELOW_SAFETY_STOCK) == (0, 1)
    stock_adjust(material=bolt, location=shelf, quantity=-1, reason="count", actor=user)
    assert run(AlertKind.BELOW_SAFETY_STOCK) == (1, 0)
    assert Alert.objects.filter(kind=AlertKind.BELOW_SAFETY_STOCK).count() == 2


def test_at_most_one_open_alert_per_kind_and_object(shelf, user):
    MaterialFactory(code="BOLT", lead_time_days=1, daily_usage=Decimal(10))
    run(AlertKind.BELOW_SAFETY_STOCK)
    alert = the_alert(AlertKind.BELOW_SAFETY_STOCK)
    with pytest.raises(IntegrityError):
        Alert.objects.create(
            kind=alert.kind, content_type=alert.content_type, object_id=alert.object_id
        )


# ---------------------------------------------------------------------------- jobs


def test_tasks_and_command_run_the_checks(shelf, user, controller):
    MaterialFactory(code="BOLT", lead_time_days=1, daily_usage=Decimal(10))
    hourly = alerts_check_hourly()
    assert set(hourly) == {
        "leftover_overdue",
        "return_not_received",
        "borrow_overdue",
        "approval_overdue",
        "approval_escalated",
        "replacement_debt",
        "supplier_claim_overdue",  # R-S2
    }
    assert alerts_check_daily()["below_safety_stock"] == {"raised": 1, "cleared": 0}
    assert alerts_check_daily()["below_safety_stock"] == {"raised": 0, "cleared": 0}
    out = StringIO()
    call_command("check_alerts", "--daily", stdout=out)
    assert "below_safety_stock: 0 raised, 0 cleared" in out.getvalue()
    assert "leftover_overdue" not in out.getvalue()
    assert Alert.objects.count() == 1


def test_beat_schedules_both_jobs_with_acks_late_and_time_limits(settings):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for task in (alerts_check_hourly, alerts_check_daily):
        assert task.name in scheduled
        assert task.acks_late and task.time_limit and task.soft_time_limit
