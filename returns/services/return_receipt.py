"""The warehouse's receipt of the returned goods against the slip (R-R6)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import format_qty
from core.transactions import atomic_service
from inventory.services import ledger_locks_take, validate_quantity
from org.access import permission_require
from returns.models import ReturnLine, ReturnRequest, ReturnState
from returns.selectors import putaway_location
from returns.services.common import (
    DEFECT_VERDICTS,
    Actor,
    ensure_not_applicant,
    ensure_transition,
    locked,
    rejection_apply,
    state_change,
)
from returns.services.return_lines import line_summary, lines_given, numbered_lines
from returns.services.return_posting import return_movements, return_post

FOREIGN_LIMIT = Decimal("0.02")  # R-R5: IQC refuses a defect lot with more than 2 % foreign
PERCENT = Decimal("0.01")
RECEIVED_MORE = _(
    "Line %(line)s: %(received)s received is more than the %(qty)s on the slip; "
    "the applicant must correct the slip."
)
SERIALS_ALL = _("Line %(line)s is serial-tracked: receive every unit on the slip or refuse it.")
MISMATCH_NOTE = _("Line %(line)s: %(received)s received instead of %(qty)s needs a written note.")
FOREIGN_RANGE = _("Line %(line)s: foreign material must be between 0 and the quantity received.")
NOT_ON_SLIP = _("%(item)s is not on return slip %(number)s.")
NOT_SCANNED = _("Line %(line)s (%(material)s) was not scanned; count it, with 0 if it is missing.")
FOREIGN_REFUSED = _(
    "Line %(line)s (%(material)s): %(percent)s%% of the defect lot is other material, "
    "more than 2%%: refused."
)


def receipt_counts(line: ReturnLine, item: dict) -> None:
    """What the keeper counted; every mismatch needs a written note (R-R6)."""
    numbers = {"line": line.position, "qty": format_qty(line.quantity)}
    received = item.get("received_qty")
    if received is None:
        received = line.quantity
    received = validate_quantity(received, material=line.material, field="received_qty")
    numbers["received"] = format_qty(received)
    if received > line.quantity:
        raise ValidationError({"received_qty": RECEIVED_MORE % numbers})
    if line.serials and received != line.quantity:
        raise ValidationError({"received_qty": SERIALS_ALL % numbers})
    note = (item.get("receive_note") or "").strip()
    if received != line.quantity and not note:
        raise ValidationError({"receive_note": MISMATCH_NOTE % numbers})
    foreign = Decimal(item.get("foreign_qty") or 0)
    if not 0 <= foreign <= received:
        raise ValidationError({"foreign_qty": FOREIGN_RANGE % numbers})
    line.received_qty, line.foreign_qty, line.receive_note = received, foreign, note[:300]


def foreign_refusal(lines: list[ReturnLine]) -> str:
    """R-R5: the reason to refuse the slip when a defect lot holds more than 2 % foreign
    material, or ``""``."""
    refused = []
    for line in lines:
        ratio = line.foreign_qty / line.received_qty
        if line.verdict in DEFECT_VERDICTS and ratio > FOREIGN_LIMIT:
            percent = format_qty((ratio * 100).quantize(PERCENT))
            refused.append(
                str(
                    FOREIGN_REFUSED
                    % {"line": line.position, "material": line.material.code, "percent": percent}
                )
            )
    return " ".join(refused)


@atomic_service
def return_receive(
    *,
    return_request: ReturnRequest,
    lines: list[dict],
    actor: Actor,
    device: str = "",
    post: bool = False,
) -> ReturnRequest:
    """The keeper checks and counts. ``lines``: dicts with ``line`` and optional
    ``received_qty`` (default: the slip's quantity), ``foreign_qty``, ``location``,
    ``receive_note``; lines not given are received as on the slip.

    A defect lot with more than 2 % foreign material refuses the whole slip (R-R5): it is
    returned to the applicant as rejected, the counts recorded, and the request returned.

    With ``post`` (the keeper's receive-scan) the received slip is posted in the same
    transaction, so a refused posting leaves it unreceived too. The posting's locks are
    taken before the receipt's audit event locks the chain head (``audit_record``'s order).
    """
    permission_require(actor, "returns.receive_return", _("receive returned material"))
    if post:
        permission_require(actor, "returns.post_return", _("post returns"))
    return_request = locked(return_request, actor=actor)
    ensure_transition(return_request, ReturnState.RECEIVED, _("received"))
    ensure_not_applicant(return_request, actor, _("receive"))
    pairs, rest = lines_given(return_request, lines)
    pairs += [(line, {}) for line in rest]
    pairs.sort(key=lambda pair: pair[0].position)
    for line, item in pairs:
        receipt_counts(line, item)
    refusal = foreign_refusal([line for line, _item in pairs])
    if not refusal:
        for line, item in pairs:
            line.location = putaway_location(return_request.work_order, line, item.get("location"))
    received = [line for line, _item in pairs]
    ReturnLine.objects.bulk_update(
        received, ["received_qty", "foreign_qty", "location", "receive_note"]
    )
    details = {"lines": [line_summary(line) for line in received]}
    if refusal:
        return rejection_apply(
            return_request,
            actor=actor,
            device=device,
            reason=refusal,
            action="refuse",
            details=details,
        )
    if post:
        ledger_locks_take(return_movements(return_request), return_request.work_order)
    return_request = state_change(
        return_request,
        ReturnState.RECEIVED,
        actor=actor,
        device=device,
        action="receive",
        details=details,
        announce=not post,  # posted at once: nothing waits to be posted
        received_by=actor,
        received_at=timezone.now(),
    )
    return (
        return_post(return_request=return_request, actor=actor, device=device)
        if post
        else return_request
    )


# ---------------------------------------------------------------------------- scanned counts


def scan_shares(
    return_request: ReturnRequest, lines: list[ReturnLine], counted: dict, scan: dict
) -> list[tuple[ReturnLine, Decimal]]:
    """Split one scanned count over the slip lines its label matches, filling them in
    position order (several boxes of one lot may sit on several lines); the last matching
    line takes what is left, so an over-count still reads as one."""
    item = scan["code"]
    matching = [line for line in lines if item.matches(line.material, line.lot, line.serials)]
    if not matching:
        raise ValidationError(
            {"lines": NOT_ON_SLIP % {"item": str(item), "number": return_request.number}}
        )
    quantity, split = item.quantity_or(scan["quantity"]), []
    for line in matching[:-1]:
        share = min(quantity, max(line.quantity - counted.get(line.pk, 0), 0))
        if share:
            split.append((line, share))
            quantity -= share
    if quantity or not split:
        uncounted = [line for line in matching if line.pk not in counted]
        split.append((uncounted[0] if uncounted and not quantity else matching[-1], quantity))
    return split


def scanned_receipt_lines(*, return_request: ReturnRequest, scans: list[dict]) -> list[dict]:
    """The keeper's scans (``code``: a scanned item, ``quantity``, ``foreign_qty``,
    ``location``, ``receive_note``) as ``return_receive`` lines, one per slip line, the
    counts of one line added up. Every slip line must be scanned (R-R6)."""
    lines = numbered_lines(return_request)
    counted, items = {}, {}
    for scan in scans:
        for line, share in scan_shares(return_request, lines, counted, scan):
            counted[line.pk] = counted.get(line.pk, 0) + share
            item = items.setdefault(line.pk, {"line": line, "foreign_qty": 0, "location": None})
            item["received_qty"] = counted[line.pk]
            item["location"] = scan["location"] or item["location"]
            notes = [item.get("receive_note", ""), scan["receive_note"]]
            item["receive_note"] = " ".join(dict.fromkeys(note for note in notes if note))
        item["foreign_qty"] += scan["foreign_qty"]
    missing = [line for line in lines if line.pk not in counted]
    if missing:
        line = missing[0]
        raise ValidationError(
            {"lines": NOT_SCANNED % {"line": line.position, "material": line.material.code}}
        )
    return list(items.values())
