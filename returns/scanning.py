"""Slip numbers (``RT-202611-0001``, ``RP-…``, ``SH-…``) as the scan endpoint resolves them:
the slip, its state and the actions that fit it. Registered with ``inventory.scanning``."""

import re

from returns.models import (
    REPLENISH_ACTIONS,
    REPLENISH_TRANSITIONS,
    RETURN_ACTIONS,
    RETURN_TRANSITIONS,
    ReplenishRequest,
    ReturnRequest,
    ShortageSlip,
    ShortageState,
)

SLIP = re.compile(r"^(RT|RP|SH)-\d{6}-\d{4,}$")


def next_actions(state, transitions, actions):
    return sorted({actions[target] for target in transitions[state] if target in actions})


def slip_result(number):
    """A return, replenish or shortage slip by its number, with its next actions."""
    request = ReturnRequest.objects.filter(number=number).first()
    if request:
        return {
            "type": "return_request",
            "id": request.pk,
            "number": number,
            "state": request.state,
            "actions": next_actions(request.state, RETURN_TRANSITIONS, RETURN_ACTIONS),
        }
    request = ReplenishRequest.objects.filter(number=number).first()
    if request:
        return {
            "type": "replenish_request",
            "id": request.pk,
            "number": number,
            "state": request.state,
            "actions": next_actions(request.state, REPLENISH_TRANSITIONS, REPLENISH_ACTIONS),
        }
    slip = ShortageSlip.objects.filter(number=number).first()
    if slip:
        return {
            "type": "shortage_slip",
            "id": slip.pk,
            "number": number,
            "state": slip.state,
            "actions": ["fulfil"] if slip.state == ShortageState.OPEN else [],
        }
    return None
