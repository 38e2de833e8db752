"""Issuing approved replenishments (补料) from stock by FEFO, R-P3, and the shortage slips
(欠料单, R-P4) of what stock could not cover until it arrives.

Every write locks the request row first, checks the move against
``REPLENISH_TRANSITIONS``, changes, and audits last (see ``returns.services.common``).
"""

from dataclasses import replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.errors import StateConflict
from core.fields import format_qty
from core.outbox import outbox_emit
from core.services import document_number_next
from core.transactions import atomic_service
from inventory.models import LedgerEntry, Lot, MovementType, Serial, SerialStatus
from inventory.selectors import fefo_suggestion
from inventory.services import Movement, entries_summary, ledger_post, one_movement_per_unit
from materials.models import Location, Material, TrackingMode
from org.access import permission_require
from returns.models import (
    ReplenishLine,
    ReplenishRequest,
    ReplenishState,
    ShortageSlip,
    ShortageState,
)
from returns.services.common import (
    Actor,
    ensure_not_applicant,
    ensure_transition,
    locked,
    state_change,
)
from returns.signals import shortage_fulfilled, shortages_opened

SLIP_CLOSED = _("Shortage slip %(number)s is already closed.")
STILL_SHORT = _("Still short of %(material)s: on hand %(on_hand)s, needed %(needed)s.")


def serial_units_at(
    *, material: Material, lot: Lot | None, location: Location, quantity: Decimal
) -> list[Serial]:
    """The first ``quantity`` serial units in stock at the picked lot and location."""
    return list(
        Serial.objects.filter(
            material=material, lot=lot, location=location, status=SerialStatus.IN_STOCK
        ).order_by("serial_no")[: int(quantity)]
    )


def pick_movements(
    *, material: Material, quantity: Decimal, doc_line: int, remark: str
) -> tuple[list[Movement], Decimal, Decimal]:
    """FEFO picks for ``quantity`` as REPLENISH movements: (movements, issued, short)."""
    picks, short = fefo_suggestion(material=material, quantity=quantity)
    movements = []
    for pick in picks:
        units = []
        if material.tracking == TrackingMode.SERIAL:
            units = serial_units_at(
                material=material,
                lot=pick["lot"],
                location=pick["location"],
                quantity=pick["quantity"],
            )
        movements += [
            replace(movement, doc_line=doc_line)
            for movement in one_movement_per_unit(
                material=material,
                lot=pick["lot"],
                location=pick["location"],
                quantity=-pick["quantity"],
                movement_type=MovementType.REPLENISH,
                serials=units,
                remark=remark,
            )
        ]
    return movements, Decimal(quantity) - short, short


def replenish_post(
    replenish_request: ReplenishRequest, movements: list[Movement], actor: Actor, device: str
) -> list[LedgerEntry]:
    """R-P3: blue issue entries to the work order citing the request."""
    if not movements:
        return []
    return ledger_post(
        movements=movements,
        doc_type="replenish",
        doc_id=replenish_request.number,
        actor=actor,
        device=device,
        work_order=replenish_request.work_order,
        reason_code=replenish_request.reason.code,
    )


@atomic_service
def replenish_issue(
    *, replenish_request: ReplenishRequest, actor: Actor, device: str = ""
) -> ReplenishRequest:
    """Issue what stock allows (FEFO); a short line gets a shortage slip SH-… (R-P4)."""
    permission_require(actor, "returns.issue_replenishment", _("issue replenishments"))
    replenish_request = locked(replenish_request, actor=actor)
    ensure_transition(replenish_request, ReplenishState.ISSUED, _("issued"))
    ensure_not_applicant(replenish_request, actor, _("issue"))
    remark = f"{replenish_request.reason.code} {replenish_request.reason.name}"
    lines, movements, slips = list(replenish_request.lines.select_related("material")), [], []
    for position, line in enumerate(lines, start=1):
        line_movements, line.issued_qty, line.short_qty = pick_movements(
            material=line.material, quantity=line.quantity, doc_line=position, remark=remark
        )
        movements += line_movements
    entries = replenish_post(replenish_request, movements, actor, device)
    ReplenishLine.objects.bulk_update(lines, ["issued_qty", "short_qty"])
    for line in lines:
        if line.short_qty > 0:
            slips.append(
                ShortageSlip.objects.create(
                    number=document_number_next(prefix="SH"),
                    replenish_line=line,
                    material=line.material,
                    quantity=line.short_qty,
                )
            )
    for slip in slips:
        outbox_emit(
            topic="shortage.opened",
            payload={
                "number": slip.number,
                "request": replenish_request.number,
                "material": slip.material.code,
                "quantity": slip.quantity,
            },
        )
    if slips:
        shortages_opened.send(
            sender=ShortageSlip, slips=slips, replenish_request=replenish_request
        )  # R-P4
    return state_change(
        replenish_request,
        ReplenishState.SHORT if slips else ReplenishState.ISSUED,
        actor=actor,
        device=device,
        action="issue",
        details={"entries": entries_summary(entries), "shortages": [s.number for s in slips]},
        issued_by=actor,
        issued_at=timezone.now(),
    )


@atomic_service
def shortage_fulfil(*, slip: ShortageSlip, actor: Actor, device: str = "") -> ShortageSlip:
    """Stock arrived: issue the slip's quantity, close it; the request is issued when no
    slip of it stays open. All or nothing: not enough stock yet is a 400."""
    permission_require(actor, "returns.change_shortageslip", _("fulfil shortage slips"))
    replenish_request = locked(ReplenishRequest(pk=slip.replenish_line.request_id), actor=actor)
    slip = (
        ShortageSlip.objects.select_for_update(of=("self",))
        .select_related("material", "replenish_line")
        .get(pk=slip.pk)
    )
    if slip.state != ShortageState.OPEN:
        raise StateConflict(SLIP_CLOSED, params={"number": slip.number})
    ensure_transition(replenish_request, ReplenishState.ISSUED, _("issued"))
    line = slip.replenish_line
    position = list(replenish_request.lines.values_list("pk", flat=True)).index(line.pk) + 1
    movements, issued, short = pick_movements(
        material=slip.material, quantity=slip.quantity, doc_line=position, remark=slip.number
    )
    if short > 0:
        raise ValidationError(
            {
                "quantity": STILL_SHORT
                % {
                    "material": slip.material.code,
                    "on_hand": format_qty(issued),
                    "needed": format_qty(slip.quantity),
                }
            }
        )
    entries = replenish_post(replenish_request, movements, actor, device)
    now = timezone.now()
    slip.state, slip.closed_at, slip.closed_by = ShortageState.CLOSED, now, actor
    slip.save(update_fields=["state", "closed_at", "closed_by"])
    line.issued_qty += slip.quantity
    line.short_qty -= slip.quantity
    line.save(update_fields=["issued_qty", "short_qty"])
    details = {"shortage": slip.number, "entries": entries_summary(entries)}
    if not ShortageSlip.objects.filter(
        replenish_line__request=replenish_request, state=ShortageState.OPEN
    ).exists():
        state_change(
            replenish_request,
            ReplenishState.ISSUED,
            actor=actor,
            device=device,
            action="fulfil",
            details=details,
        )
    else:
        audit_record(actor=actor, device=device, action="shortage.fulfil", obj=slip, after=details)
    shortage_fulfilled.send(
        sender=ShortageSlip, slip=slip, replenish_request=replenish_request
    )  # R-P4
    return slip
