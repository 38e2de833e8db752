"""Slip numbers (``RT-202611-0001``, ``RP-…``, ``SH-…``, ``SR-…``, ``SD-…``) as the scan
endpoint resolves them (R-U2): the document, its state and the actions that fit it.
Registered with ``inventory.scanning``; one row of ``SLIP_KINDS`` per numbered document."""

import re
from collections.abc import Callable
from typing import NamedTuple

from django.db import models

from returns.models import (
    DISPOSAL_ACTIONS,
    DISPOSAL_TRANSITIONS,
    REPLENISH_ACTIONS,
    REPLENISH_TRANSITIONS,
    RETURN_ACTIONS,
    RETURN_TRANSITIONS,
    SUPPLIER_RETURN_ACTIONS,
    SUPPLIER_RETURN_TRANSITIONS,
    ReplenishRequest,
    ReturnRequest,
    ScrapDisposal,
    ShortageSlip,
    ShortageState,
    SupplierReturn,
)


def next_actions(state: str, transitions: dict, actions: dict) -> list[str]:
    return sorted({actions[target] for target in transitions[state] if target in actions})


class SlipKind(NamedTuple):
    type: str
    model: type[models.Model]
    actions: Callable[[str], list[str]]  # state -> the actions that fit it


def state_machine(transitions: dict, actions: dict) -> Callable[[str], list[str]]:
    return lambda state: next_actions(state, transitions, actions)


# Number prefix → what the number names (core.services.document_number_next's prefixes).
SLIP_KINDS = {
    "RT": SlipKind(
        "return_request", ReturnRequest, state_machine(RETURN_TRANSITIONS, RETURN_ACTIONS)
    ),
    "RP": SlipKind(
        "replenish_request",
        ReplenishRequest,
        state_machine(REPLENISH_TRANSITIONS, REPLENISH_ACTIONS),
    ),
    "SH": SlipKind(
        "shortage_slip",
        ShortageSlip,
        lambda state: ["fulfil"] if state == ShortageState.OPEN else [],
    ),
    "SR": SlipKind(
        "supplier_return",
        SupplierReturn,
        state_machine(SUPPLIER_RETURN_TRANSITIONS, SUPPLIER_RETURN_ACTIONS),
    ),
    "SD": SlipKind(
        "scrap_disposal", ScrapDisposal, state_machine(DISPOSAL_TRANSITIONS, DISPOSAL_ACTIONS)
    ),
}
SLIP = re.compile(rf"^({'|'.join(SLIP_KINDS)})-\d{{6}}-\d{{4,}}$")


def slip_result(number: str) -> dict | None:
    """The document its number names, with its next actions; None when there is none."""
    kind = SLIP_KINDS[number.split("-", 1)[0]]
    slip = kind.model.objects.filter(number=number).only("pk", "state").first()
    if slip is None:
        return None
    return {
        "type": kind.type,
        "id": slip.pk,
        "number": number,
        "state": slip.state,
        "actions": kind.actions(slip.state),
    }
