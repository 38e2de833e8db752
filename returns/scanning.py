"""Slip numbers (``RT-202611-0001``, ``RP-…``, ``SH-…``) as the scan endpoint resolves them:
the slip, its state and the actions that fit it. Registered with ``inventory.scanning``."""

import re
from collections.abc import Callable
from typing import NamedTuple

from django.db import models

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


class SlipKind(NamedTuple):
    type: str
    model: type[models.Model]
    actions: Callable[[str], list[str]]  # state -> the actions that fit it


# Looked up in this order; the first model holding the number answers.
SLIP_KINDS = (
    SlipKind(
        "return_request",
        ReturnRequest,
        lambda state: next_actions(state, RETURN_TRANSITIONS, RETURN_ACTIONS),
    ),
    SlipKind(
        "replenish_request",
        ReplenishRequest,
        lambda state: next_actions(state, REPLENISH_TRANSITIONS, REPLENISH_ACTIONS),
    ),
    SlipKind(
        "shortage_slip",
        ShortageSlip,
        lambda state: ["fulfil"] if state == ShortageState.OPEN else [],
    ),
)


def slip_result(number: str) -> dict | None:
    """A return, replenish or shortage slip by its number, with its next actions."""
    for kind in SLIP_KINDS:
        slip = kind.model.objects.filter(number=number).first()
        if slip:
            return {
                "type": kind.type,
                "id": slip.pk,
                "number": number,
                "state": slip.state,
                "actions": kind.actions(slip.state),
            }
    return None
