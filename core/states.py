"""The one state-transition check of every state machine (STYLE "State machines"): a move
the model's transitions map does not allow is a 409 naming the state. The caller gives its
own translatable message and parameters, so each app keeps its wording."""

from collections.abc import Mapping
from typing import Any

from core.errors import StateConflict


def transition_require(
    obj: Any,
    target: str,
    transitions: Mapping[str, set],
    *,
    message: str,
    params: Mapping[str, Any],
    field: str = "state",
) -> None:
    """Raise ``StateConflict(message, params)`` unless ``transitions`` lets ``obj`` move
    from its ``field`` value to ``target``."""
    if target not in transitions[getattr(obj, field)]:
        raise StateConflict(message, params=dict(params))
