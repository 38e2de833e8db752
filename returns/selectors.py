"""Reads about return and replenish requests: quantity guards (R-R6, R-P2), where returned
material goes (R-R4, R-M5), open requests of a work order (R-W4), who approves a
replenishment (R-A2…R-A4, for submission and its preview alike) and the API querysets.

``putaway_location`` answers with a location or refuses (``ValidationError``) when no
location may take the material; it writes nothing.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from approvals.models import PolicyVersion
from approvals.routing import Route, active_policy, chain_order, replenish_route
from core.fields import MONEY
from inventory.models import LedgerEntry, Lot, MovementType
from inventory.services import validate_location
from materials.models import Location, LocationKind, Material
from returns.models import (
    REPLENISH_FINISHED,
    RETURN_FINISHED,
    ReasonCode,
    ReplacementCitation,
    ReplenishLine,
    ReplenishRequest,
    ReplenishState,
    ReturnLine,
    ReturnRequest,
    ReturnState,
    ShortageSlip,
    ShortageState,
    Verdict,
)
from workorders.models import WorkOrder

ZERO = Decimal("0")
# Return lines whose quantity is no longer "on an open slip": booked, or withdrawn.
RETURN_LINE_CLOSED = [
    ReturnState.CANCELLED,
    ReturnState.REJECTED,
    ReturnState.POSTED,
    ReturnState.CONFIRMED,
]
# Replenishments whose citations no longer replace anything.
REPLENISH_WITHDRAWN = [ReplenishState.CANCELLED, ReplenishState.REJECTED]
# Ledger movements that give material to a work order (negative) or take it back (positive).
WORK_ORDER_MOVEMENTS = [MovementType.ISSUE, MovementType.REPLENISH, MovementType.RETURN]
ISSUING_MOVEMENTS = [MovementType.ISSUE, MovementType.REPLENISH]
# R-R4/R-M5: the location kinds each verdict may go to; the first is the default area.
# Failed material never enters usable stock.
PUTAWAY_KINDS = {
    Verdict.GOOD: LocationKind.usable(),
    Verdict.SUPPLIER_DEFECT: [LocationKind.SUPPLIER_RETURN, LocationKind.QUARANTINE],
    Verdict.PROCESS_DEFECT: [LocationKind.SCRAP, LocationKind.QUARANTINE],
    Verdict.SUSPECT: [LocationKind.QUARANTINE],  # R-R9: waits for its disposition
}

LOCATION_WRONG_KIND = _(
    "Location %(location)s is a %(kind)s location: material with verdict “%(verdict)s” "
    "cannot be put there."
)
NO_PUTAWAY_LOCATION = _(
    "No active %(kind)s location to put %(material)s away: give one or ask an administrator."
)


def work_order_entries(
    *, work_order: WorkOrder, material: Material, lot: Lot | None, movement_types: list[str]
) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(
        work_order=work_order, material=material, lot=lot, movement_type__in=movement_types
    )


def returnable_qty(*, work_order: WorkOrder, material: Material, lot: Lot | None) -> Decimal:
    """R-R6: issued + replenished − returned (from the ledger) − on other open return lines."""
    net = work_order_entries(
        work_order=work_order, material=material, lot=lot, movement_types=WORK_ORDER_MOVEMENTS
    ).aggregate(total=Sum("quantity"))["total"]
    pending = (
        ReturnLine.objects.filter(request__work_order=work_order, material=material, lot=lot)
        .exclude(request__state__in=RETURN_LINE_CLOSED)
        .aggregate(total=Sum("quantity"))["total"]
    )
    return -(net or ZERO) - (pending or ZERO)


def original_location(
    *, work_order: WorkOrder, material: Material, lot: Lot | None
) -> Location | None:
    """R-M5: where the material was issued from last, else the material's default location."""
    entry = (
        work_order_entries(
            work_order=work_order, material=material, lot=lot, movement_types=ISSUING_MOVEMENTS
        )
        .select_related("location")
        .order_by("-id")
        .first()
    )
    return entry.location if entry else material.default_location


def area_location(*, kind: str, near: Location | None = None) -> Location | None:
    """An active location of ``kind``, in the warehouse of ``near`` when there is one."""
    locations = Location.objects.filter(kind=kind, is_active=True).order_by("code")
    if near is not None:
        same_warehouse = locations.filter(warehouse_id=near.warehouse_id).first()
        if same_warehouse is not None:
            return same_warehouse
    return locations.first()


def putaway_location(
    work_order: WorkOrder, line: ReturnLine, chosen: Location | None = None
) -> Location:
    """R-R4/R-M5: the keeper's location if its kind fits the verdict; else good material
    goes back where it was issued from (or the material's default location), defective
    material to the supplier-return or scrap area, preferably in the same warehouse."""
    kinds = PUTAWAY_KINDS[line.verdict]
    if chosen is not None:
        validate_location(chosen)
        if chosen.kind not in kinds:
            raise ValidationError(
                {
                    "location": LOCATION_WRONG_KIND
                    % {
                        "location": chosen.code,
                        "kind": chosen.get_kind_display(),
                        "verdict": line.get_verdict_display(),
                    }
                }
            )
        return chosen
    origin = original_location(work_order=work_order, material=line.material, lot=line.lot)
    if line.verdict == Verdict.GOOD:
        candidates = (origin, line.material.default_location)
        location = next(
            (c for c in candidates if c is not None and c.is_active and c.kind in kinds), None
        )
    else:
        location = area_location(kind=kinds[0], near=origin)
    if location is None:
        raise ValidationError(
            {
                "location": NO_PUTAWAY_LOCATION
                % {"kind": LocationKind(kinds[0]).label, "material": line.material.code}
            }
        )
    return location


def replaced_qty(
    *, return_line: ReturnLine, exclude_request: ReplenishRequest | None = None
) -> Decimal:
    """R-P2: how much of a defective return line live replenishments already replace."""
    citations = ReplacementCitation.objects.filter(return_line=return_line).exclude(
        replenish_line__request__state__in=REPLENISH_WITHDRAWN
    )
    if exclude_request is not None:
        citations = citations.exclude(replenish_line__request=exclude_request)
    return citations.aggregate(total=Sum("quantity"))["total"] or ZERO


def closeout_open_requests(work_order: WorkOrder) -> dict[str, list[dict]]:
    """Unfinished return/replenish requests and open shortage slips of the work order, as
    rows for the close-out checklist (R-W4, registered in ``workorders.registry``)."""
    fields = ("id", "number", "state")
    shortages = ShortageSlip.objects.filter(
        replenish_line__request__work_order=work_order, state=ShortageState.OPEN
    )
    return {
        "returns": list(
            work_order.return_requests.exclude(state__in=RETURN_FINISHED)
            .order_by("id")
            .values(*fields)
        ),
        "replenishments": list(
            work_order.replenish_requests.exclude(state__in=REPLENISH_FINISHED)
            .order_by("id")
            .values(*fields)
        ),
        "shortages": list(
            shortages.order_by("id").values(
                "id", "number", "quantity", material_code=F("material__code")
            )
        ),
    }


# ---------------------------------------------------------------------------- API querysets


def reason_codes() -> QuerySet[ReasonCode]:
    return ReasonCode.objects.all()


def return_requests() -> QuerySet[ReturnRequest]:
    return ReturnRequest.objects.select_related(
        "work_order__product",
        "work_order__workshop",
        "reason",
        "warehouse_category",
        "applicant",
        "inspected_by",
        "received_by",
        "posted_by",
        "confirmed_by",
    ).prefetch_related(
        Prefetch(
            "lines",
            queryset=ReturnLine.objects.select_related("material", "lot", "location"),
        )
    )


def replenish_requests() -> QuerySet[ReplenishRequest]:
    lines = ReplenishLine.objects.select_related("material").prefetch_related(
        Prefetch(
            "citations",
            queryset=ReplacementCitation.objects.select_related("return_line__request", "debt"),
        )
    )
    return ReplenishRequest.objects.select_related(
        "work_order__product", "work_order__workshop", "reason", "applicant", "issued_by"
    ).prefetch_related(Prefetch("lines", queryset=lines))


def shortage_slips() -> QuerySet[ShortageSlip]:
    return ShortageSlip.objects.select_related(
        "material", "replenish_line__request__work_order", "closed_by"
    )


# ---------------------------------------------------------------------------- approval routing


class ReplenishRouting(NamedTuple):
    """Who approves a replenishment: each line's route and the union chain it climbs."""

    routes: list[tuple[Material, Route]]
    chain: list[str]


def replenish_amount(lines: Iterable[tuple[Material, Decimal]]) -> Decimal:
    """The replenishment's amount at standard cost (R-A4's valuable-amount step)."""
    return sum((material.standard_cost * quantity for material, quantity in lines), ZERO).quantize(
        MONEY
    )


def replenish_routing(
    *,
    work_order: WorkOrder,
    reason: ReasonCode,
    lines: Iterable[tuple[Material, Decimal]],
    amount: Decimal,
    policy: PolicyVersion | None = None,
) -> ReplenishRouting:
    """R-A2…R-A4 per line (``replenish_route``), and the union chain of every line's chain:
    the one routing that submitting a replenishment and its page preview both use."""
    policy = policy or active_policy()
    requirements = {line.material_id: line for line in work_order.lines.all()}
    routes = []
    for material, quantity in lines:
        route = replenish_route(
            approval_class=material.approval_class,
            order_qty=work_order.planned_qty,
            required_qty=requirements[material.pk].required_qty,
            replenish_qty=quantity,
            reason=reason,
            amount=amount,
            policy=policy,
        )
        routes.append((material, route))
    return ReplenishRouting(
        routes=routes, chain=chain_order([tier for _m, route in routes for tier in route.chain])
    )


def replenish_routing_preview(
    *, work_order: WorkOrder, reason: ReasonCode, lines: list[dict]
) -> ReplenishRouting:
    """The routing of a replenishment still being typed (``lines``: dicts of ``material``
    and ``quantity``), valued like ``replenish_create`` values it; lines whose material is
    not on the work order route nowhere yet (creating the request refuses them)."""
    pairs = [(line["material"], line["quantity"]) for line in lines]
    on_order = set(work_order.lines.values_list("material_id", flat=True))
    return replenish_routing(
        work_order=work_order,
        reason=reason,
        lines=[(material, qty) for material, qty in pairs if material.pk in on_order],
        amount=replenish_amount(pairs),
    )


def issued_lots(replenish_request: ReplenishRequest) -> dict[int, list[str]]:
    """The lots issued for each line of a replenishment (its position → batch numbers), from
    the blue issue entries citing it (R-P3); shortage fulfilments cite it too."""
    if not replenish_request.number:
        return {}
    lots: dict[int, list[str]] = {}
    entries = (
        LedgerEntry.objects.filter(
            doc_type="replenish", doc_id=replenish_request.number, lot__isnull=False
        )
        .order_by("id")
        .values_list("doc_line", "lot__batch_no")
    )
    for position, batch_no in entries:
        batches = lots.setdefault(position, [])
        if batch_no not in batches:
            batches.append(batch_no)
    return lots
