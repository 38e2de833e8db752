"""What approvals knows of the requests it routes and decides, all registered by the returns
app (``AppConfig.ready``), so approvals never imports the app above it:

- each request model with its kind, its label, what happens when its last step is approved or
  any step rejected, and the plain rows a decision needs (``rows(ids)``: request id → dict
  with lines and attachments, in a fixed number of queries);
- the replenish reasons (looked up by code) and the tiers a reason adds to a replenishment's
  chain (R-A4);
- how much of a material a work order already has replenished or pending, for the cumulative
  ratio of R-A2 (``replenished_qty``).
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet

HANDLERS = {}  # "app.model" -> (approved, rejected)
MODELS = {}  # kind -> request model, in registration order
LABELS = {}  # kind -> label
ROWS = {}  # kind -> (request ids) -> {id: dict} with what a decision needs
REASONS = {}  # "replenish" -> () -> replenish reasons; "extra_tiers" -> reason -> tiers
REPLENISHED = {}  # "qty" -> (work_order_id, material_id, exclude_request_id) -> Decimal


def register(
    model: type[Model],
    *,
    kind: str,
    label: str,
    approved: Callable[..., Any],
    rejected: Callable[..., Any],
    rows: Callable[[list[int]], dict[int, dict[str, Any]]],
) -> None:
    """``approved(request, actor, device)`` / ``rejected(request, actor, device, comment)``."""
    HANDLERS[model._meta.label_lower] = (approved, rejected)
    MODELS[kind] = model
    LABELS[kind] = label
    ROWS[kind] = rows


def register_reasons(
    *, replenish: Callable[[], QuerySet], extra_tiers: Callable[[Model], list[str]]
) -> None:
    """``replenish()``: the replenish reasons; ``extra_tiers(reason)``: the tiers the reason
    adds to a replenishment's matrix chain."""
    REASONS.update(replenish=replenish, extra_tiers=extra_tiers)


def register_replenished(qty: Callable[..., Decimal]) -> None:
    """``qty(*, work_order_id, material_id, exclude_request_id)``: what the work order has of
    the material replenished (issued) or pending (submitted, approved, issued short), the
    request ``exclude_request_id`` left out (R-A2 sharpened)."""
    REPLENISHED["qty"] = qty


def handlers_for(request: Model) -> tuple[Callable[..., Any], Callable[..., Any]]:
    return HANDLERS[request._meta.label_lower]


def kind_choices() -> list[tuple[str, str]]:
    return list(LABELS.items())


def request_rows(kind: str, ids: list[int]) -> dict[int, dict[str, Any]]:
    return ROWS[kind](ids)


def replenish_reasons() -> QuerySet:
    return REASONS["replenish"]()


def extra_tiers(reason: Model | None) -> list[str]:
    return REASONS["extra_tiers"](reason) if reason is not None else []


def replenished_qty(
    *, work_order_id: int, material_id: int, exclude_request_id: int | None = None
) -> Decimal:
    """R-A2 (sharpened): the quantity already replenished or pending on the work order for the
    material, which a new replenishment's ratio adds to."""
    return REPLENISHED["qty"](
        work_order_id=work_order_id,
        material_id=material_id,
        exclude_request_id=exclude_request_id,
    )
