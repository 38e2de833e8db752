"""What the documents beside the requests (scrap disposals, supplier returns) share: the
stock at one key they draw from, and the audited state change with its before/after
snapshot. Each document passes its own snapshot and audit prefix."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Model

from audit.services import audit_record
from inventory.models import Lot, StockBalance
from materials.models import Location, Material
from returns.services.common import Actor

D = TypeVar("D", bound=Model)


def on_hand(material: Material, lot: Lot | None, location: Location) -> Decimal:
    balance = StockBalance.objects.filter(material=material, lot=lot, location=location).first()
    return balance.quantity if balance else Decimal(0)


def document_audit(
    document: Model,
    *,
    prefix: str,
    snapshot: Callable[[Any], dict],
    actor: Actor | None,
    device: str,
    action: str,
    before: dict | None = None,
    details: dict | None = None,
) -> None:
    """``prefix.action`` with the document's snapshot (plus ``details``) as after (R-U1)."""
    audit_record(
        actor=actor,
        device=device,
        action=f"{prefix}.{action}",
        obj=document,
        before=before,
        after={**snapshot(document), **(details or {})},
    )


def document_state_change(
    document: D,
    state: str,
    *,
    prefix: str,
    snapshot: Callable[[Any], dict],
    actor: Actor | None,
    device: str,
    action: str,
    details: dict | None = None,
    **fields: Any,
) -> D:
    """Move the (locked) document to ``state``, set ``fields``, save and audit."""
    before = snapshot(document)
    document.state = state
    for name, value in fields.items():
        setattr(document, name, value)
    document.save(update_fields=["state", *fields, "updated_at"])
    document_audit(
        document,
        prefix=prefix,
        snapshot=snapshot,
        actor=actor,
        device=device,
        action=action,
        before=before,
        details=details,
    )
    return document
