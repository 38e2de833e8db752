"""Month-end summary of returns and replenishments (R-J1, R-J3).

Everything comes from the ledger in two GROUP BY queries: RETURN entries are returned
quantities, REPLENISH entries replenished ones, valued at the material's standard cost.
Recomputing a month replaces its rows in one transaction, so a run killed half-way and run
again gives the same result; finance's confirmation locks the month.
"""

from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.errors import StateConflict
from core.fields import MONEY, QTY
from core.outbox import outbox_emit
from inventory.models import LedgerEntry, MovementType
from returns.models import (
    MonthEnd,
    MonthEndDocument,
    MonthEndLine,
    MonthEndState,
    ReasonCode,
    RequestKind,
)

MONTH_CONFIRMED = _("Month %(month)s is confirmed by finance and can no longer change.")
KINDS = {
    MovementType.RETURN: (RequestKind.RETURN, 1),
    MovementType.REPLENISH: (RequestKind.REPLENISH, -1),
}


def month_bounds(month):
    """[start, end) of a month in the factory's time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(month, time.min, tzinfo=zone)
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, datetime.combine(following, time.min, tzinfo=zone)


def month_entries(month):
    start, end = month_bounds(month)
    return LedgerEntry.objects.filter(
        created_at__gte=start, created_at__lt=end, movement_type__in=list(KINDS)
    )


def valued(queryset, *group_by):
    value = ExpressionWrapper(
        F("quantity") * F("material__standard_cost"),
        output_field=DecimalField(max_digits=30, decimal_places=8),
    )
    return (
        queryset.values("movement_type", *group_by)
        .annotate(qty=Sum("quantity"), value=Sum(value))
        .order_by()
    )


def reasons_by_code():
    return {(r.kind, r.code): r for r in ReasonCode.objects.all()}


def line_rows(month_end, reasons):
    rows = valued(
        month_entries(month_end.month),
        "work_order__workshop_id",
        "reason_code",
        "material_id",
        "material__approval_class",
    )
    for row in rows:
        kind, sign = KINDS[row["movement_type"]]
        reason = reasons.get((kind, row["reason_code"]))
        yield MonthEndLine(
            month_end=month_end,
            kind=kind,
            workshop_id=row["work_order__workshop_id"],
            reason_code=row["reason_code"],
            responsible_party=reason.responsible_party if reason else "",
            approval_class=row["material__approval_class"],
            material_id=row["material_id"],
            quantity=sign * row["qty"],
            amount=(sign * row["value"]).quantize(MONEY),
        )


def document_rows(month_end, reasons):
    rows = valued(
        month_entries(month_end.month), "doc_id", "work_order__workshop_id", "reason_code"
    )
    for row in rows:
        kind, sign = KINDS[row["movement_type"]]
        reason = reasons.get((kind, row["reason_code"]))
        amount = (sign * row["value"]).quantize(MONEY)
        yield MonthEndDocument(
            month_end=month_end,
            kind=kind,
            number=row["doc_id"],
            workshop_id=row["work_order__workshop_id"],
            reason_code=row["reason_code"],
            responsible_party=reason.responsible_party if reason else "",
            amount=amount,
            points=reason.points_for(amount) if reason else 0,
            flagged=kind == RequestKind.REPLENISH and amount > month_end.flag_amount,
        )


def month_lock(month):
    MonthEnd.objects.bulk_create([MonthEnd(month=month)], ignore_conflicts=True)
    return MonthEnd.objects.select_for_update().get(month=month)


@transaction.atomic
def month_end_compute(*, month, actor=None):
    """(Re)build the month's summary; refused once finance confirmed it."""
    month_end = month_lock(month.replace(day=1))
    if month_end.state == MonthEndState.CONFIRMED:
        raise StateConflict(MONTH_CONFIRMED, params={"month": f"{month:%Y-%m}"})
    month_end.lines.all().delete()
    month_end.documents.all().delete()
    month_end.flag_amount = Decimal(settings.MONTH_END_SPOT_CHECK_AMOUNT)
    reasons = reasons_by_code()
    MonthEndLine.objects.bulk_create(line_rows(month_end, reasons), batch_size=2000)
    MonthEndDocument.objects.bulk_create(document_rows(month_end, reasons), batch_size=2000)
    month_end.computed_at = timezone.now()
    month_end.save()
    audit_record(
        actor=actor, action="month_end.compute", obj=month_end, after=month_end_totals(month_end)
    )
    return month_end


def month_end_totals(month_end):
    totals = month_end.lines.values("kind").annotate(qty=Sum("quantity"), amount=Sum("amount"))
    return {
        row["kind"]: {
            "quantity": str(Decimal(row["qty"]).quantize(QTY)),
            "amount": str(Decimal(row["amount"]).quantize(MONEY)),
        }
        for row in totals
    }


@transaction.atomic
def month_end_confirm(*, month_end, actor, device=""):
    """Finance locks the month: no recomputation afterwards (R-J1)."""
    month_end = MonthEnd.objects.select_for_update().get(pk=month_end.pk)
    if month_end.state == MonthEndState.CONFIRMED:
        raise StateConflict(MONTH_CONFIRMED, params={"month": str(month_end)})
    month_end.state = MonthEndState.CONFIRMED
    month_end.confirmed_by, month_end.confirmed_at = actor, timezone.now()
    month_end.save(update_fields=["state", "confirmed_by", "confirmed_at"])
    totals = month_end_totals(month_end)
    outbox_emit(topic="month.closed", payload={"month": str(month_end), "totals": totals})
    audit_record(
        actor=actor, device=device, action="month_end.confirm", obj=month_end, after=totals
    )
    return month_end


def previous_month(today=None):
    today = today or timezone.localdate()
    first = today.replace(day=1)
    return (
        first.replace(year=first.year - 1, month=12)
        if first.month == 1
        else first.replace(month=first.month - 1)
    )
