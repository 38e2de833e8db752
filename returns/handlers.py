"""Registers with the lower apps what they must know of requests: what approvals does to
them (approvals.registry), what they keep open on a work order's close-out
(workorders.registry) and how a scanned slip number resolves (inventory.scanning).

The last approval moves a return to reviewed and a replenishment to approved; any rejected
step sends the request back to its applicant with the approver's comment (R-R3, R-A3).
Unfinished requests and open shortage slips block closing their work order (R-W4).
"""

from approvals.registry import register
from inventory.scanning import slip_kind_register
from returns.models import ReplenishRequest, ReplenishState, ReturnRequest, ReturnState
from returns.scanning import SLIP, slip_result
from returns.selectors import closeout_open_requests
from returns.services import request_approved, request_rejected
from workorders.registry import register_open_requests

for model in (ReturnRequest, ReplenishRequest):
    register(model, approved=request_approved, rejected=request_rejected)

register_open_requests(
    closeout_open_requests,
    state_labels={
        "returns": dict(ReturnState.choices),
        "replenishments": dict(ReplenishState.choices),
    },
)

slip_kind_register(SLIP, slip_result)
