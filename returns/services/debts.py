"""Replace first, return later (先补后退, R-P5): citations of defect returns not yet posted
open a ``ReplacementDebt``; the return's posting clears it with what the keeper received.

Lock order (see ``returns.services.common``): a replenishment locks the return requests it
cites before the work order, as ``return_post`` does (its own row, then the work order's
key share), so a return cannot be posted between a replenishment's check of its state and
the debt it opens.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import StateConflict
from core.fields import format_qty
from returns.debt_selectors import DEBT_RETURN_STATES
from returns.models import (
    ReplacementCitation,
    ReplacementDebt,
    ReplenishLine,
    ReturnLine,
    ReturnRequest,
)
from returns.selectors import REPLENISH_WITHDRAWN, replaced_qty
from returns.services.common import DEFECT_VERDICTS

ZERO = Decimal("0")
LINE_REPLACED = _(
    "Line %(line)s (%(material)s) is already replaced by %(replaced)s (replace first, return "
    "later): it cannot return less than that."
)


def cited_lines_locked(return_line_ids: Iterable[int]) -> dict[int, ReturnLine]:
    """Lock the return requests of the cited lines (in id order) and read the lines afresh:
    their state and received quantity are the ones the posting will see."""
    ids = set(return_line_ids)
    if not ids:
        return {}
    request_ids = ReturnLine.objects.filter(pk__in=ids).values_list("request_id", flat=True)
    list(
        ReturnRequest.objects.select_for_update(of=("self",))
        .filter(pk__in=list(request_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    lines = ReturnLine.objects.select_related("request__reason", "material").filter(pk__in=ids)
    return {line.pk: line for line in lines}


def citations_fresh(lines: list[dict]) -> list[dict]:
    """``lines`` (dicts with ``citations``) with each cited return line locked and re-read."""
    fresh = cited_lines_locked(
        c["return_line"].pk for line in lines for c in line.get("citations") or []
    )
    return [
        {
            **line,
            "citations": [
                {**c, "return_line": fresh.get(c["return_line"].pk, c["return_line"])}
                for c in line.get("citations") or []
            ],
        }
        for line in lines
    ]


def citations_record(*, replenish_line: ReplenishLine, citations: list[dict]) -> None:
    """Write the line's one-for-one citations (R-P2); a citation of a return not yet posted
    opens a debt of its quantity (R-P5)."""
    created = ReplacementCitation.objects.bulk_create(
        [
            ReplacementCitation(
                replenish_line=replenish_line, return_line=c["return_line"], quantity=c["quantity"]
            )
            for c in citations
        ]
    )
    now = timezone.now()
    ReplacementDebt.objects.bulk_create(
        [
            ReplacementDebt(citation=citation, quantity=citation.quantity, opened_at=now)
            for citation in created
            if citation.return_line.request.state in DEBT_RETURN_STATES
        ]
    )


def debts_clear(return_request: ReturnRequest) -> list[dict]:
    """R-P5: the posting of ``return_request`` clears the debts citing it with the quantity
    the keeper received of each defective line; what was replaced beyond that stays open.
    Live replenishments are matched first. Returns the audit rows."""
    debts = list(
        ReplacementDebt.objects.select_for_update(of=("self",))
        .filter(citation__return_line__request=return_request, cleared_at__isnull=True)
        .select_related("citation__return_line__material", "citation__replenish_line__request")
        .order_by("id")
    )
    debts.sort(key=lambda d: (d.citation.replenish_line.request.state in REPLENISH_WITHDRAWN, d.pk))
    now, left, rows = timezone.now(), {}, []
    for debt in debts:
        line = debt.citation.return_line
        if line.pk not in left:
            defective = line.verdict in DEFECT_VERDICTS
            left[line.pk] = (line.received_qty or ZERO) if defective else ZERO
        take = min(debt.open_qty, left[line.pk])
        left[line.pk] -= take
        debt.cleared_qty += take
        if debt.cleared_qty == debt.quantity:
            debt.cleared_at = now
        rows.append(
            {
                "debt": debt.pk,
                "replenishment": str(debt.citation.replenish_line.request),
                "material": line.material.code,
                "quantity": format_qty(debt.quantity),
                "cleared": format_qty(take),
                "open": format_qty(debt.open_qty),
            }
        )
    ReplacementDebt.objects.bulk_update(debts, ["cleared_qty", "cleared_at"])
    return rows


def ensure_replaced_covered(line: ReturnLine, quantity: Decimal) -> None:
    """A return line keeps at least what live replenishments replaced ahead of it (R-P5):
    editing it lower, or removing it, would leave their debts without a return."""
    replaced = replaced_qty(return_line=line)
    if quantity < replaced:
        raise StateConflict(
            LINE_REPLACED,
            params={
                "line": line.pk,
                "material": line.material.code,
                "replaced": format_qty(replaced),
            },
        )
