"""Registers what approvals does to return and replenish requests (see approvals.registry).

The last approval moves a return to reviewed and a replenishment to approved; any rejected
step sends the request back to its applicant with the approver's comment (R-R3, R-A3).
"""

from approvals.registry import register
from returns.models import ReplenishRequest, ReturnRequest
from returns.services import request_approved, request_rejected

for model in (ReturnRequest, ReplenishRequest):
    register(model, approved=request_approved, rejected=request_rejected)
