"""Registers what approvals does to return and replenish requests (see approvals.registry),
and what the requests keep open on a work order's close-out (see workorders.registry).

The last approval moves a return to reviewed and a replenishment to approved; any rejected
step sends the request back to its applicant with the approver's comment (R-R3, R-A3).
Unfinished requests and open shortage slips block closing their work order (R-W4).
"""

from approvals.registry import register
from returns.models import ReplenishRequest, ReplenishState, ReturnRequest, ReturnState
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
