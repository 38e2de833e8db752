"""Reads about replacement debts (先补后退, R-P5): what a replenishment replaced ahead of a
defect return not yet posted, for the request pages, the close-out checklist (R-W4) and
the 24 h alert."""

from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.formatting import quantity
from returns.models import (
    ReplacementDebt,
    ReplenishRequest,
    ReturnLine,
    ReturnRequest,
    ReturnState,
)
from returns.selectors import REPLENISH_WITHDRAWN
from workorders.models import WorkOrder

# A defect return in one of these states may be cited before it is posted (R-P5): it has
# left the draft and is neither withdrawn nor refused, and its posting will clear the debt.
DEBT_RETURN_STATES = [
    ReturnState.SUBMITTED,
    ReturnState.REVIEWED,
    ReturnState.INSPECTED,
    ReturnState.RECEIVED,
]

DEBT_OPEN = _(
    "%(replenishment)s replaced %(quantity)s of %(material)s ahead of return %(return)s: "
    "%(open)s still to be returned."
)
DEBT_CLEARED = _(
    "%(replenishment)s replaced %(quantity)s of %(material)s ahead of return %(return)s: "
    "cleared by its posting."
)
CLOSEOUT_DEBTS = _("Replacements matched by posted defect returns (replace first, return later)")


def returned_qty(return_line: ReturnLine) -> Decimal:
    """What a cited line gives back: the keeper's count once received, else the slip's."""
    if return_line.received_qty is not None:
        return return_line.received_qty
    return return_line.quantity


def live_debts() -> QuerySet[ReplacementDebt]:
    """Debts of replenishments not withdrawn, with what their texts need."""
    return (
        ReplacementDebt.objects.exclude(
            citation__replenish_line__request__state__in=REPLENISH_WITHDRAWN
        )
        .select_related(
            "citation__replenish_line__request",
            "citation__return_line__request",
            "citation__return_line__material__uom",
        )
        .order_by("id")
    )


def open_debts() -> QuerySet[ReplacementDebt]:
    return live_debts().filter(cleared_at__isnull=True)


def debt_text(debt: ReplacementDebt) -> str:
    """The debt as people read it, quantities with their unit."""
    citation = debt.citation
    material = citation.return_line.material
    params = {
        "replenishment": str(citation.replenish_line.request),
        "return": str(citation.return_line.request),
        "material": material.code,
        "quantity": quantity(debt.quantity, material.uom.code),
        "open": quantity(debt.open_qty, material.uom.code),
    }
    return str((DEBT_OPEN if debt.is_open else DEBT_CLEARED) % params)


def debts_of_replenishment(replenish_request: ReplenishRequest) -> list[ReplacementDebt]:
    return list(live_debts().filter(citation__replenish_line__request=replenish_request))


def debts_of_return(return_request: ReturnRequest) -> list[ReplacementDebt]:
    return list(live_debts().filter(citation__return_line__request=return_request))


def work_order_open_debts(work_order: WorkOrder) -> list[ReplacementDebt]:
    return list(open_debts().filter(citation__replenish_line__request__work_order=work_order))


def closeout_open_debts(work_order: WorkOrder) -> list[dict]:
    """R-P5/R-W4: each open debt of the work order as a row of its close-out item."""
    return [
        {"text": debt_text(debt), "url": debt.get_absolute_url()}
        for debt in work_order_open_debts(work_order)
    ]
