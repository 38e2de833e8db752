"""Supplier-return slip numbers (``SR-202612-0001``) as the scan endpoint resolves them
(R-U2): the return, its state and the actions that fit it."""

import re

from returns.models import SUPPLIER_RETURN_ACTIONS, SUPPLIER_RETURN_TRANSITIONS, SupplierReturn
from returns.scanning import next_actions

SUPPLIER_SLIP = re.compile(r"^SR-\d{6}-\d{4,}$")


def supplier_slip_result(number: str) -> dict | None:
    supplier_return = SupplierReturn.objects.filter(number=number).first()
    if supplier_return is None:
        return None
    return {
        "type": "supplier_return",
        "id": supplier_return.pk,
        "number": number,
        "state": supplier_return.state,
        "actions": next_actions(
            supplier_return.state, SUPPLIER_RETURN_TRANSITIONS, SUPPLIER_RETURN_ACTIONS
        ),
    }
