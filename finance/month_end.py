"""Month-end summary of returns and replenishments (R-J1, R-J3).

Everything comes from the ledger in two GROUP BY queries: RETURN entries are returned
quantities, REPLENISH entries replenished ones, valued at the material's standard cost.
Recomputing a month replaces its rows in one transaction, so a run killed half-way and run
again gives the same result; finance's confirmation locks the month.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.errors import StateConflict
from core.months import month_bounds
from core.outbox import outbox_emit
from core.transactions import atomic_service
from finance.models import MonthEnd, MonthEndState
from finance.selectors import month_end_totals
from finance.signals import month_confirmed, month_reopened
from inventory.models import MovementType
from inventory.periods import posting_period_hold, posting_period_lock, posting_period_unlock
from org.access import permission_require

MONTH_CONFIRMED = _("Month %(month)s is confirmed by finance and can no longer change.")
MONTH_NOT_ENDED = _(
    "Month %(month)s has not ended yet: it can be confirmed and locked from %(next)s on."
)
MONTH_NOT_CONFIRMED = _("Month %(month)s is not confirmed: there is nothing to reopen.")
REASON_REQUIRED = _("Give the reason for reopening the month.")

# Both summaries are built inside the database (INSERT … SELECT … GROUP BY): a month of a
# million ledger rows never passes through Python (BENCHMARKS.md). They group on stored
# columns only: a month-end kind is the ledger's movement type by value (RequestKind and
# MovementType share "return" and "replenish"), and the sign that shows both kinds positive
# is applied once per group, not per ledger row (issue #17 item 3). Amounts are rounded to
# cents half away from zero, the same before or after the sign. The SQL runs on PostgreSQL
# and on the SQLite default.
LEDGER_OF_THE_MONTH = """
    FROM inventory_ledgerentry e
    JOIN materials_material m ON m.id = e.material_id
    LEFT JOIN workorders_workorder w ON w.id = e.work_order_id
    WHERE e.posting_date >= %(start)s AND e.posting_date < %(end)s
      AND e.movement_type IN (%(return)s, %(replenish)s)"""
SIGN = "CASE e.movement_type WHEN %(return)s THEN 1 ELSE -1 END"  # outside SUM: per group
REASON = "LEFT JOIN returns_reasoncode r ON r.kind = g.kind AND r.code = g.reason_code"

LINES_INSERT = f"""
INSERT INTO returns_monthendline (month_end_id, kind, workshop_id, reason_code,
    responsible_party, approval_class, material_id, quantity, amount)
SELECT %(month_end)s, g.kind, g.workshop_id, g.reason_code, COALESCE(r.responsible_party, ''),
       g.approval_class, g.material_id, g.quantity, ROUND(g.amount, 2)
FROM (SELECT e.movement_type AS kind, w.workshop_id, e.reason_code, e.material_id,
             m.approval_class, {SIGN} * SUM(e.quantity) AS quantity,
             {SIGN} * SUM(e.quantity * m.standard_cost) AS amount
      {LEDGER_OF_THE_MONTH}
      GROUP BY 1, 2, 3, 4, 5) g
{REASON}"""

DOCUMENTS_INSERT = f"""
INSERT INTO returns_monthenddocument (month_end_id, kind, number, workshop_id, reason_code,
    responsible_party, amount, points, flagged)
SELECT %(month_end)s, g.kind, g.doc_id, g.workshop_id, g.reason_code,
       COALESCE(r.responsible_party, ''), g.amount, COALESCE(p.penalty, 0),
       g.kind = %(replenish)s AND g.amount > CAST(%(flag_amount)s AS NUMERIC)
FROM (SELECT e.movement_type AS kind, e.doc_id, w.workshop_id, e.reason_code,
             {SIGN} * ROUND(SUM(e.quantity * m.standard_cost), 2) AS amount
      {LEDGER_OF_THE_MONTH}
      GROUP BY 1, 2, 3, 4) g
{REASON}
LEFT JOIN (SELECT source_number, -SUM(points) AS penalty FROM finance_pointentry
           WHERE points < 0 GROUP BY source_number) p ON p.source_number = g.doc_id"""


def summary_params(month_end: MonthEnd) -> dict[str, Any]:
    # The month's entries by posting date, the day the material really moved (R-L6).
    start, end = (moment.date() for moment in month_bounds(month_end.month))
    adapt = connection.ops.adapt_datefield_value
    return {
        "month_end": month_end.pk,
        "start": adapt(start),
        "end": adapt(end),
        "return": MovementType.RETURN,
        "replenish": MovementType.REPLENISH,
        "flag_amount": str(month_end.flag_amount),
    }


def lines_insert(month_end: MonthEnd) -> None:
    """One line per kind, workshop, reason, material (and its class), signed so both kinds
    show positive quantities, valued at standard cost."""
    with connection.cursor() as cursor:
        cursor.execute(LINES_INSERT, summary_params(month_end))


def documents_insert(month_end: MonthEnd) -> None:
    """One row per document with its responsible party, the penalty points its point
    entries carry (``finance.points``, R-J3: the table of seed 002 as versioned data, spot
    checks once approved) and the GM office's spot-check flag for large replenishments
    (R-J1)."""
    with connection.cursor() as cursor:
        cursor.execute(DOCUMENTS_INSERT, summary_params(month_end))


def month_lock(month: date) -> MonthEnd:
    """The month's summary row and its posting period, both held until commit: the ledger
    of the month stays still while the two summaries are built from it."""
    MonthEnd.objects.bulk_create([MonthEnd(month=month)], ignore_conflicts=True)
    month_end = MonthEnd.objects.select_for_update().get(month=month)
    posting_period_hold(month)
    return month_end


@atomic_service
def month_end_compute(*, month: date, actor: User | None = None) -> MonthEnd:
    """(Re)build the month's summary; refused once finance confirmed it."""
    month_end = month_lock(month.replace(day=1))
    if month_end.state == MonthEndState.CONFIRMED:
        raise StateConflict(MONTH_CONFIRMED, params={"month": f"{month:%Y-%m}"})
    month_end.lines.all().delete()
    month_end.documents.all().delete()
    month_end.flag_amount = Decimal(settings.MONTH_END_SPOT_CHECK_AMOUNT)
    lines_insert(month_end)
    documents_insert(month_end)
    month_end.computed_at = timezone.now()
    month_end.save()
    audit_record(
        actor=actor, action="month_end.compute", obj=month_end, after=month_end_totals(month_end)
    )
    return month_end


def month_current() -> date:
    """The first day of the factory's current month (a seam for tests)."""
    return timezone.localdate().replace(day=1)


def month_ended(month: date) -> bool:
    return month < month_current()


def month_following(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


@atomic_service
def month_end_confirm(*, month_end: MonthEnd, actor: User, device: str = "") -> MonthEnd:
    """Finance locks the month once it has ended: no recomputation, and no ledger posting
    dated in it (``inventory.periods.posting_period_lock``) afterwards (R-J1, issue #7);
    the current or a future month is refused (issue #15). Finance is told
    (``finance.signals.month_confirmed``)."""
    permission_require(actor, "finance.confirm_month", _("confirm months"))
    month_end = MonthEnd.objects.select_for_update().get(pk=month_end.pk)
    if month_end.state == MonthEndState.CONFIRMED:
        raise StateConflict(MONTH_CONFIRMED, params={"month": str(month_end)})
    if not month_ended(month_end.month):
        following = month_following(month_end.month)
        raise StateConflict(
            MONTH_NOT_ENDED, params={"month": str(month_end), "next": f"{following:%Y-%m-%d}"}
        )
    month_end.state = MonthEndState.CONFIRMED
    month_end.confirmed_by, month_end.confirmed_at = actor, timezone.now()
    month_end.save(update_fields=["state", "confirmed_by", "confirmed_at"])
    posting_period_lock(month=month_end.month, actor=actor)
    totals = month_end_totals(month_end)
    outbox_emit(topic="month.closed", payload={"month": str(month_end), "totals": totals})
    month_confirmed.send(sender=MonthEnd, month_end=month_end)
    audit_record(
        actor=actor, device=device, action="month_end.confirm", obj=month_end, after=totals
    )
    return month_end


@atomic_service
def month_end_reopen(
    *, month_end: MonthEnd, reason: str, actor: User, device: str = ""
) -> MonthEnd:
    """Finance reopens a confirmed month with a reason (issue #15, like Odoo's lock dates
    moved back): postings dated in it are taken again and it can be recomputed and
    confirmed anew. Audited with the reason; finance is told
    (``finance.signals.month_reopened``); the ERP hears ``month.reopened``."""
    permission_require(actor, "finance.confirm_month", _("reopen months"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [REASON_REQUIRED]})
    month_end = MonthEnd.objects.select_for_update().get(pk=month_end.pk)
    if month_end.state != MonthEndState.CONFIRMED:
        raise StateConflict(MONTH_NOT_CONFIRMED, params={"month": str(month_end)})
    before = {
        "state": month_end.state,
        "confirmed_by": month_end.confirmed_by.get_username() if month_end.confirmed_by else None,
        "confirmed_at": month_end.confirmed_at.isoformat() if month_end.confirmed_at else None,
    }
    month_end.state = MonthEndState.OPEN
    month_end.confirmed_by, month_end.confirmed_at = None, None
    month_end.reopened_by, month_end.reopened_at = actor, timezone.now()
    month_end.reopen_reason = reason
    month_end.save(
        update_fields=[
            "state",
            "confirmed_by",
            "confirmed_at",
            "reopened_by",
            "reopened_at",
            "reopen_reason",
        ]
    )
    posting_period_unlock(month=month_end.month)
    outbox_emit(topic="month.reopened", payload={"month": str(month_end), "reason": reason})
    month_reopened.send(sender=MonthEnd, month_end=month_end)
    audit_record(
        actor=actor,
        device=device,
        action="month_end.reopen",
        obj=month_end,
        before=before,
        after={"state": month_end.state, "reason": reason},
    )
    return month_end


def previous_month(today: date | None = None) -> date:
    today = today or timezone.localdate()
    first = today.replace(day=1)
    return (
        first.replace(year=first.year - 1, month=12)
        if first.month == 1
        else first.replace(month=first.month - 1)
    )
