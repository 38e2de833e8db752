"""Period locking as accounting practice has it (issue #15, ERPNext's "stock frozen up to",
Odoo's lock dates): a month is confirmed only after it has ended; finance reopens a locked
month with a reason that is audited and told; a refused posting names the lock's holder."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from alerts.models import Notification
from audit.models import AuditEvent
from core.errors import StateConflict
from core.models import OutboxEvent
from finance.models import MonthEnd, MonthEndState
from finance.month_end import month_end_confirm, month_end_reopen, previous_month
from inventory.models import LedgerEntry, PostingPeriod, PostingPeriodState
from tests.builders import location, receive, with_roles
from tests.factories import MaterialFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance():
    return with_roles(UserFactory(username="fin"), "finance")


@pytest.fixture
def this_month():
    return MonthEnd.objects.create(month=timezone.localdate().replace(day=1))


def test_confirming_the_current_month_is_refused_in_both_languages(finance, this_month):
    following = date(
        this_month.month.year + this_month.month.month // 12, this_month.month.month % 12 + 1, 1
    )
    with pytest.raises(StateConflict) as refused:
        month_end_confirm(month_end=this_month, actor=finance)
    assert str(refused.value) == (
        f"Month {this_month} has not ended yet: it can be confirmed and locked from "
        f"{following:%Y-%m-%d} on."
    )
    with translation.override("zh-hans"):
        assert str(refused.value) == (
            f"{this_month} 月尚未结束：自 {following:%Y-%m-%d} 起才能确认并锁定。"
        )
    this_month.refresh_from_db()
    assert this_month.state == MonthEndState.OPEN
    assert not PostingPeriod.objects.filter(state=PostingPeriodState.LOCKED).exists()
    future = MonthEnd.objects.create(month=following)
    with pytest.raises(StateConflict, match="has not ended yet"):
        month_end_confirm(month_end=future, actor=finance)


def test_a_past_month_is_confirmed_and_locked(finance):
    last = MonthEnd.objects.create(month=previous_month())
    month_end_confirm(month_end=last, actor=finance)
    period = PostingPeriod.objects.get(month=last.month)
    assert (period.state, period.locked_by) == (PostingPeriodState.LOCKED, finance)


def test_reopening_needs_a_reason_and_a_confirmed_month(finance):
    last = MonthEnd.objects.create(month=previous_month())
    with pytest.raises(StateConflict, match="is not confirmed"):
        month_end_reopen(month_end=last, reason="typo", actor=finance)
    month_end_confirm(month_end=last, actor=finance)
    for blank in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            month_end_reopen(month_end=last, reason=blank, actor=finance)
        assert refused.value.message_dict == {
            "reason": ["Give the reason for reopening the month."]
        }
    last.refresh_from_db()
    assert last.state == MonthEndState.CONFIRMED
    assert not AuditEvent.objects.filter(action="month_end.reopen").exists()
    clerk = with_roles(UserFactory(username="clerk"), "clerk")
    with pytest.raises(PermissionDenied):
        month_end_reopen(month_end=last, reason="typo", actor=clerk)


def test_reopen_is_audited_told_and_lifts_the_posting_lock(finance, this_month, month_over):
    keeper = with_roles(UserFactory(username="keeper"), "keeper")
    with_roles(UserFactory(username="boss"), "admin")
    bystander = with_roles(UserFactory(username="clerk"), "clerk")
    material, shelf = MaterialFactory(), location("A")
    receive(material, shelf, 5, keeper)
    month_end_confirm(month_end=this_month, actor=finance)

    # A posting into the locked month names the lock and who holds it, since when.
    with pytest.raises(StateConflict) as refused:
        receive(material, shelf, 5, keeper)
    message = str(refused.value)
    assert message.startswith(f"Month {this_month} is closed by finance (locked by fin on ")
    assert message.endswith("): nothing can be posted in it.")
    assert LedgerEntry.objects.count() == 1

    month_end_reopen(month_end=this_month, reason="Late supplier credit note", actor=finance)
    this_month.refresh_from_db()
    assert (this_month.state, this_month.confirmed_by, this_month.reopened_by) == (
        MonthEndState.OPEN,
        None,
        finance,
    )
    event = AuditEvent.objects.get(action="month_end.reopen")
    assert event.after == {"state": "open", "reason": "Late supplier credit note"}
    assert event.before["confirmed_by"] == "fin"
    told = Notification.objects.filter(title=f"Month {this_month} reopened")
    assert sorted(told.values_list("user__username", flat=True)) == ["fin"]  # not the admin
    assert "Late supplier credit note" in told.first().body
    assert told.first().url == reverse("finance:month_end_detail", args=[this_month.month])
    assert not Notification.objects.filter(user__in=[bystander, keeper]).exists()
    assert OutboxEvent.objects.get(topic="month.reopened").payload["reason"] == (
        "Late supplier credit note"
    )

    receive(material, shelf, 5, keeper)  # the lock is lifted
    assert LedgerEntry.objects.count() == 2
    period = PostingPeriod.objects.get(month=this_month.month)
    assert (period.state, period.locked_by) == (PostingPeriodState.OPEN, None)

    month_end_confirm(month_end=this_month, actor=finance)  # and confirmed again later
    with pytest.raises(StateConflict, match="locked by fin"):
        receive(material, shelf, 5, keeper)
