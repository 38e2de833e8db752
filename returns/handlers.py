"""Registers with the lower apps what they must know of requests: what approvals does to
them, how it lists them and which reasons add tiers (approvals.registry), what they keep
open on a work order's close-out (workorders.registry) and how a scanned slip number
resolves (inventory.scanning).

The last approval moves a return to reviewed and a replenishment to approved; any rejected
step sends the request back to its applicant with the approver's comment (R-R3, R-A3).
Unfinished requests and open shortage slips block closing their work order (R-W4).
"""

from functools import partial

from django.utils.translation import gettext_lazy as _

from approvals.models import Tier
from approvals.registry import register, register_reasons, register_replenished
from inventory.scanning import slip_kind_register
from returns.debt_selectors import CLOSEOUT_DEBTS, closeout_open_debts
from returns.disposal_selectors import inbox_disposals
from returns.inbox import inbox_requests
from returns.models import (
    DefectKind,
    NonconformingRecord,
    ReasonCode,
    ReplenishRequest,
    ReplenishState,
    RequestKind,
    ReturnRequest,
    ReturnState,
    ScrapDisposal,
)
from returns.models.supplier_returns import SupplierReturn
from returns.nonconforming_inbox import inbox_nonconforming
from returns.scanning import SLIP, slip_result
from returns.selectors import closeout_open_requests, replenished_or_pending_qty
from returns.services.common import request_approved, request_rejected
from returns.services.disposals import disposal_approved, disposal_rejected
from returns.services.nonconforming import (
    nonconforming_disputed,
    nonconforming_return_cancelled,
    nonconforming_signed,
)
from returns.services.supplier_returns import supplier_return_rejected, supplier_return_signed
from returns.signals import request_state_changed
from returns.supplier_inbox import inbox_supplier_returns
from workorders.registry import register_closeout_item, register_open_requests

# A defect reason adds its tiers to a replenishment's chain, however small the ratio (R-A4,
# sharpened by seed 003 §5.9.3): a process defect needs the production manager, then the
# material controller signs and the MC supervisor approves; a supplier defect is confirmed by
# the material controller and approved by the MC supervisor. (Valuable or large ones go on
# to the deputy GM: approvals.routing.replenish_route, from the policy's thresholds.)
DEFECT_TIERS = {
    DefectKind.PROCESS: [Tier.PRODUCTION_MANAGER, Tier.MATERIAL_CONTROL, Tier.MC_SUPERVISOR],
    DefectKind.SUPPLIER: [Tier.MATERIAL_CONTROL, Tier.MC_SUPERVISOR],
}


def defect_tiers(reason):
    return DEFECT_TIERS.get(reason.defect_kind, [])


for kind, model in ((RequestKind.RETURN, ReturnRequest), (RequestKind.REPLENISH, ReplenishRequest)):
    register(
        model,
        kind=kind.value,
        label=kind.label,
        approved=request_approved,
        rejected=request_rejected,
        rows=partial(inbox_requests, model),
    )

# R-R9: the joint QC and production sign-off of a nonconforming-material record.
register(
    NonconformingRecord,
    kind="nonconforming",
    label=_("nonconforming material"),
    approved=nonconforming_signed,
    rejected=nonconforming_disputed,
    rows=inbox_nonconforming,
)


def return_cancelled(sender, *, slip, state, actor=None, **kwargs):
    """A withdrawn return cancels its nonconforming records (nothing is in quarantine)."""
    if sender is ReturnRequest and state == ReturnState.CANCELLED:
        nonconforming_return_cancelled(slip, actor)


request_state_changed.connect(return_cancelled, dispatch_uid="returns.nonconforming_cancel")

# Scrap disposals (R-D1): QC, production and (above a set amount) finance sign.
register(
    ScrapDisposal,
    kind="scrap_disposal",
    label=ScrapDisposal._meta.verbose_name,
    approved=disposal_approved,
    rejected=disposal_rejected,
    rows=inbox_disposals,
)

# R-S2: supplier returns are signed by the warehouse and MC supervisors in the same inbox.
register(
    SupplierReturn,
    kind="supplier_return",
    label=SupplierReturn._meta.verbose_name,
    approved=supplier_return_signed,
    rejected=supplier_return_rejected,
    rows=inbox_supplier_returns,
)

register_reasons(
    replenish=lambda: ReasonCode.objects.filter(kind=RequestKind.REPLENISH),
    extra_tiers=defect_tiers,
)

register_replenished(replenished_or_pending_qty)

register_open_requests(
    closeout_open_requests,
    state_labels={
        "returns": dict(ReturnState.choices),
        "replenishments": dict(ReplenishState.choices),
    },
)

register_closeout_item("replacement_debts", CLOSEOUT_DEBTS, closeout_open_debts)  # R-P5

slip_kind_register(SLIP, slip_result)
