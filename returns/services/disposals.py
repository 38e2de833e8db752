"""Scrap disposal (报废单, R-D1, seed 002 工废 §5.1.1 E): the writes.

Created over stock lying in scrap or quarantine locations only (never usable stock),
signed by QC, then the production manager, then finance when the value is above
``settings.SCRAP_FINANCE_APPROVAL_ABOVE``; a keeper posts it. Posting the warehouse-scrap
and regrind routes writes ``SCRAP`` entries that take the stock (and, at standard cost, its
value) out; the rework route transfers the material to the upstream workshop's location
(``stock_transfer``), so nothing is destroyed. Lock order as in ``common``: the document
row, then stock rows, then the audit chain.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from approvals.models import Tier
from approvals.services import (
    approval_steps_cancel,
    approval_steps_open,
    request_scope_require,
)
from core.errors import StateConflict
from core.fields import MONEY, format_qty
from core.outbox import outbox_emit
from core.services import document_number_next
from core.states import transition_require
from core.transactions import atomic_service
from inventory.models import LedgerEntry, Lot, MovementType
from inventory.services import (
    entries_summary,
    ledger_post,
    one_movement_per_unit,
    serials_in_stock,
    stock_transfer,
    validate_location,
    validate_lot,
    validate_quantity,
    validate_serials,
)
from materials.models import Location, LocationKind, Material
from org.access import NOT_ALLOWED, scope_require
from org.models import Workshop
from returns.models import (
    DISPOSAL_TRANSITIONS,
    DisposalRoute,
    DisposalState,
    ScrapDisposal,
    ScrapDisposalLine,
)
from returns.services.common import Actor
from returns.services.documents import document_audit, document_state_change, on_hand

NUMBER_PREFIX = "SD"
DOC_TYPE = "scrap_disposal"
# Only failed material may be disposed of (R-R4: it never enters usable stock).
DISPOSABLE_KINDS = (LocationKind.SCRAP, LocationKind.QUARANTINE)
# QC inspectors raise disposals, keepers raise and post them (the roles' existing duties).
RAISE_PERMS = ("returns.give_qc_verdict", "returns.post_return")
POST_PERM = "returns.post_return"

NOT_DISPOSABLE = _(
    "%(location)s is a %(kind)s location: only stock in scrap or quarantine locations can be "
    "disposed of."
)
NOT_ENOUGH = _(
    "Only %(on_hand)s of %(material)s%(lot)s is at %(location)s; %(needed)s cannot be disposed of."
)
NO_LINES = _("Give at least one line.")
REWORK_LOCATION_REQUIRED = _("Rework needs the location the material goes back to.")
REWORK_TO_SCRAP = _("Reworked material goes to a workshop location, not to %(location)s.")
WRONG_STATE = _("%(disposal)s is %(state)s: it cannot be %(action)s.")
NOT_APPLICANT = _("Only the applicant of %(disposal)s can %(action)s it.")
OWN_DISPOSAL = _("You raised %(disposal)s: someone else must %(action)s it.")


@dataclass(frozen=True)
class DisposalLineInput:
    """One line as pages and the API give it."""

    material: Material
    location: Location
    quantity: Decimal
    lot: Lot | None = None
    serials: list[str] = field(default_factory=list)


def finance_threshold() -> Decimal:
    return Decimal(str(settings.SCRAP_FINANCE_APPROVAL_ABOVE))


def disposal_tiers(value: Decimal) -> list[str]:
    """QC, then the production manager; finance too above the set amount (R-D1)."""
    tiers = [Tier.QC, Tier.PRODUCTION_MANAGER]
    if value > finance_threshold():
        tiers.append(Tier.FINANCE)
    return tiers


def raise_permission_require(actor: Actor) -> None:
    if not any(actor.has_perm(perm) for perm in RAISE_PERMS):
        raise PermissionDenied(NOT_ALLOWED % {"action": _("raise scrap disposals")})


def line_validate(item: DisposalLineInput) -> Decimal:
    """The line's own checks: a disposable location, quantity, lot and serials there."""
    location = item.location
    if location.kind not in DISPOSABLE_KINDS:
        raise ValidationError(
            {
                "location": NOT_DISPOSABLE
                % {"location": location.code, "kind": location.get_kind_display()}
            }
        )
    quantity = validate_quantity(item.quantity, material=item.material)
    validate_lot(material=item.material, lot=item.lot, allow_expired=True)
    serials = list(item.serials or [])
    validate_serials(material=item.material, quantity=quantity, serials=serials)
    if serials:
        serials_in_stock(material=item.material, lot=item.lot, serials=serials)
    return quantity


def stock_check(lines: list[tuple[DisposalLineInput, Decimal]]) -> None:
    """No more than lies in each location, all lines of one key together."""
    needed = defaultdict(Decimal)
    for item, quantity in lines:
        needed[item.material, item.lot, item.location] += quantity
    for (material, lot, location), quantity in needed.items():
        have = on_hand(material, lot, location)
        if quantity > have:
            raise ValidationError(
                {
                    "quantity": NOT_ENOUGH
                    % {
                        "on_hand": format_qty(have),
                        "material": material.code,
                        "lot": f" / {lot.batch_no}" if lot else "",
                        "location": location.code,
                        "needed": format_qty(quantity),
                    }
                }
            )


def rework_location_check(route: str, location: Location | None) -> Location | None:
    if route != DisposalRoute.REWORK:
        return None
    if location is None:
        raise ValidationError({"rework_location": REWORK_LOCATION_REQUIRED})
    validate_location(location, field="rework_location")
    if location.kind in DISPOSABLE_KINDS:
        raise ValidationError({"rework_location": REWORK_TO_SCRAP % {"location": location.code}})
    return location


@atomic_service
def scrap_disposal_create(
    *,
    workshop: Workshop,
    route: str,
    lines: list[DisposalLineInput],
    applicant: Actor,
    rework_location: Location | None = None,
    explanation: str = "",
    device: str = "",
) -> ScrapDisposal:
    """A draft disposal over stock in scrap/quarantine locations, valued at standard cost."""
    raise_permission_require(applicant)
    scope_require(applicant, workshop.pk, "workshop")
    if route not in DisposalRoute.values:
        raise ValidationError({"route": _("Choose a disposal route.")})
    rework_location = rework_location_check(route, rework_location)
    if not lines:
        raise ValidationError({"lines": NO_LINES})
    checked = [(item, line_validate(item)) for item in lines]
    stock_check(checked)
    disposal = ScrapDisposal.objects.create(
        number=document_number_next(prefix=NUMBER_PREFIX),
        workshop=workshop,
        route=route,
        rework_location=rework_location,
        explanation=(explanation or "").strip()[:500],
        applicant=applicant,
    )
    rows = []
    for position, (item, quantity) in enumerate(checked, start=1):
        cost = item.material.standard_cost
        rows.append(
            ScrapDisposalLine(
                disposal=disposal,
                position=position,
                material=item.material,
                lot=item.lot,
                serials=list(item.serials or []),
                location=item.location,
                quantity=quantity,
                unit_cost=cost,
                value=(quantity * cost).quantize(MONEY),
            )
        )
    ScrapDisposalLine.objects.bulk_create(rows)
    disposal.value = sum((row.value for row in rows), Decimal(0))
    disposal.save(update_fields=["value"])
    audit(disposal, actor=applicant, device=device, action="create", details=lines_summary(rows))
    return disposal


def lines_summary(lines: list[ScrapDisposalLine]) -> dict:
    return {
        "lines": [
            {
                "material": line.material.code,
                "lot": line.lot.batch_no if line.lot else None,
                "serials": line.serials,
                "location": line.location.code,
                "quantity": str(line.quantity),
                "value": str(line.value),
            }
            for line in lines
        ]
    }


def snapshot(disposal: ScrapDisposal) -> dict:
    return {
        "state": disposal.state,
        "number": disposal.number,
        "route": disposal.route,
        "value": str(disposal.value),
        "rejection_reason": disposal.rejection_reason,
    }


def audit(disposal: ScrapDisposal, **kwargs: Any) -> None:
    document_audit(disposal, prefix="scrap_disposal", snapshot=snapshot, **kwargs)


def locked(disposal: ScrapDisposal, *, actor: Actor | None) -> ScrapDisposal:
    disposal = (
        ScrapDisposal.objects.select_for_update(of=("self",))
        .select_related("workshop", "applicant", "rework_location")
        .get(pk=disposal.pk)
    )
    request_scope_require(request=disposal, actor=actor)
    return disposal


def ensure_transition(disposal: ScrapDisposal, target: str, action: str | Promise) -> None:
    """A wrong-state call is a 409 naming the state (posting twice, posting unapproved)."""
    transition_require(
        disposal,
        target,
        DISPOSAL_TRANSITIONS,
        message=WRONG_STATE,
        params={
            "disposal": str(disposal),
            "state": disposal.get_state_display(),
            "action": action,
        },
    )


def applicant_locked(
    disposal: ScrapDisposal, actor: Actor, target: str, moved: Promise, verb: Promise
) -> ScrapDisposal:
    """The locked row, if it may move to ``target`` and ``actor`` applied for it."""
    disposal = locked(disposal, actor=actor)
    ensure_transition(disposal, target, moved)
    if actor.pk != disposal.applicant_id and not actor.is_superuser:
        raise PermissionDenied(NOT_APPLICANT % {"disposal": disposal, "action": verb})
    return disposal


def state_change(disposal: ScrapDisposal, state: str, **kwargs: Any) -> ScrapDisposal:
    return document_state_change(
        disposal, state, prefix="scrap_disposal", snapshot=snapshot, **kwargs
    )


@atomic_service
def scrap_disposal_submit(
    *, disposal: ScrapDisposal, actor: Actor, device: str = ""
) -> ScrapDisposal:
    """The applicant sends a draft for signatures; finance signs above the set amount."""
    disposal = applicant_locked(
        disposal, actor, DisposalState.SUBMITTED, _("submitted"), _("submit")
    )
    tiers = disposal_tiers(disposal.value)
    approval_steps_open(
        request=disposal,
        tiers=tiers,
        workshop=disposal.workshop,
        requester=disposal.applicant,
        context={"value": str(disposal.value), "finance_above": str(finance_threshold())},
    )
    return state_change(
        disposal,
        DisposalState.SUBMITTED,
        actor=actor,
        device=device,
        action="submit",
        details={"tiers": [str(tier) for tier in tiers]},
        submitted_at=timezone.now(),
        rejection_reason="",
    )


def disposal_approved(disposal: ScrapDisposal, actor: Actor | None, device: str) -> ScrapDisposal:
    """Approval handler: the last step approved (approvals holds the row lock)."""
    ensure_transition(disposal, DisposalState.APPROVED, _("approved"))
    return state_change(
        disposal,
        DisposalState.APPROVED,
        actor=actor,
        device=device,
        action="approve",
        approved_at=timezone.now(),
    )


def disposal_rejected(
    disposal: ScrapDisposal, actor: Actor | None, device: str, comment: str
) -> ScrapDisposal:
    """Approval handler: a rejected step sends the disposal back to draft with the reason."""
    ensure_transition(disposal, DisposalState.DRAFT, _("rejected"))
    approval_steps_cancel(request=disposal)
    return state_change(
        disposal,
        DisposalState.DRAFT,
        actor=actor,
        device=device,
        action="reject",
        rejection_reason=(comment or "")[:500],
    )


@atomic_service
def scrap_disposal_cancel(
    *, disposal: ScrapDisposal, actor: Actor, device: str = ""
) -> ScrapDisposal:
    """Withdrawn by its applicant at any point before posting; open steps are closed."""
    disposal = applicant_locked(
        disposal, actor, DisposalState.CANCELLED, _("cancelled"), _("cancel")
    )
    approval_steps_cancel(request=disposal)
    return state_change(
        disposal, DisposalState.CANCELLED, actor=actor, device=device, action="cancel"
    )


def scrap_entries(
    disposal: ScrapDisposal, lines: list[ScrapDisposalLine], actor: Actor, device: str
) -> list[LedgerEntry]:
    """Warehouse scrap area and regrind room: ``SCRAP`` entries take the stock out."""
    remark = f"{disposal.number} {disposal.get_route_display()}"
    movements = []
    for line in lines:
        units = (
            serials_in_stock(material=line.material, lot=line.lot, serials=line.serials)
            if line.serials
            else []
        )
        movements += [
            replace(movement, doc_line=line.position)
            for movement in one_movement_per_unit(
                material=line.material,
                lot=line.lot,
                location=line.location,
                quantity=-line.quantity,
                movement_type=MovementType.SCRAP,
                serials=units,
                remark=remark,
            )
        ]
    return ledger_post(
        movements=movements,
        doc_type=DOC_TYPE,
        doc_id=disposal.number,
        actor=actor,
        device=device,
        reason_code=disposal.route,
    )


def rework_entries(
    disposal: ScrapDisposal, lines: list[ScrapDisposalLine], actor: Actor, device: str
) -> list[LedgerEntry]:
    """Rework: the material moves to the upstream workshop's location, nothing is lost."""
    entries = []
    for line in lines:
        entries += stock_transfer(
            material=line.material,
            from_location=line.location,
            to_location=disposal.rework_location,
            quantity=line.quantity,
            lot=line.lot,
            serials=line.serials,
            remark=f"{disposal.number} {disposal.get_route_display()}"[:200],
            actor=actor,
            device=device,
        )
    return entries


@atomic_service
def scrap_disposal_post(
    *, disposal: ScrapDisposal, actor: Actor, device: str = ""
) -> ScrapDisposal:
    """A keeper books the approved disposal (R-D1); the row lock and the state check make a
    second posting a 409, never a second booking."""
    if not actor.has_perm(POST_PERM):
        raise PermissionDenied(NOT_ALLOWED % {"action": _("post scrap disposals")})
    disposal = locked(disposal, actor=actor)
    ensure_transition(disposal, DisposalState.POSTED, _("posted"))
    if actor.pk == disposal.applicant_id:
        raise StateConflict(OWN_DISPOSAL, params={"disposal": str(disposal), "action": _("post")})
    lines = list(disposal.lines.select_related("material", "lot", "location"))
    post = rework_entries if disposal.is_rework else scrap_entries
    entries = post(disposal, lines, actor, device)
    summary = entries_summary(entries)
    outbox_emit(
        topic="scrap_disposal.posted",
        payload={
            "number": disposal.number,
            "route": disposal.route,
            "value": str(disposal.value),
            "entries": summary,
        },
    )
    now = timezone.now()
    return state_change(
        disposal,
        DisposalState.POSTED,
        actor=actor,
        device=device,
        action="post",
        details={"entries": summary},
        posted_by=actor,
        posted_at=now,
        posting_date=entries[0].posting_date if entries else timezone.localdate(now),
    )
