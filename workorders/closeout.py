"""The close-out checklist (R-W4) and the leftover deadline (R-W5).

Quantities compared per requirement line (one definition, used by two items):

- ``standard`` = (good + scrap output) × qty per unit, ``allowance`` = standard × loss % / 100;
- ``actual`` = net issued = issued + replenished − returned (``workorders.selectors``);
- ``excess`` = actual − (standard + allowance).

The ledger cannot tell material still lying at the line from material really used up, so a
line with an excess is *leftover expected*: it blocks ``leftovers_returned`` until the
excess is dealt with honestly (R-W6): returned (a return lowers the net issued), carried
over to the next work order of the material (``workorders.services.leftovers``: its
reversing issue lowers the net issued) or declared consumed **with a quantity**
(``LeftoverDeclaration``); ``leftover`` = excess − declared is what remains open. A declared
quantity is over-quota consumption (``over_quota``). The ``consumption_variance`` item is
the variance report: it flags such lines (``over_allowance``, ``declared``, ``over_quota``)
but does not block; it is open only while there is no output to compare with.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from core.errors import StateConflict
from core.fields import QTY
from workorders.models import WORK_ORDER_TRANSITIONS, SignOffRole, WorkOrderLine, WorkOrderStatus
from workorders.registry import closeout_items, open_requests
from workorders.selectors import (
    ZERO,
    finished_goods_received,
    line_progress,
    material_totals,
    output_totals,
)

LEFTOVER_RETURN_HOURS = 24  # R-W5: leftovers go back within 24 h of completion
PCT = Decimal("0.01")

CLOSE_BLOCKED = _("Work order %(number)s cannot be closed; open close-out items: %(items)s.")


class CloseOutBlocked(StateConflict):
    """Closing refused while checklist items are open (HTTP 409 with ``open_items``)."""

    def __init__(self, work_order, open_items):
        self.open_items = list(open_items)
        labels = ", ".join(str(item["label"]) for item in self.open_items)
        super().__init__(CLOSE_BLOCKED, params={"number": work_order.number, "items": labels})


# ---------------------------------------------------------------------------- reads


def percent(part, whole):
    return (part * 100 / whole).quantize(PCT) if whole else None


def line_usage(line, totals, produced, declared):
    """Standard, allowance, actual and their variance for one requirement line."""
    standard = (produced * line.qty_per_unit).quantize(QTY)
    allowance = (produced * line.qty_per_unit * line.loss_pct / 100).quantize(QTY)
    actual = line_progress(line, totals)["consumed"]
    excess = actual - standard - allowance
    return {
        "material": line.material.code,
        "standard": standard,
        "allowance": allowance,
        "actual": actual,
        "variance": actual - standard,
        "variance_pct": percent(actual - standard, standard),
        "excess": max(excess, ZERO),
        "over_allowance": excess > 0,
        "declared": line.material_id in declared,
        # R-W6: declared consumed = consumption over the quota (standard + allowance)
        "over_quota": declared.get(line.material_id, ZERO),
        "leftover": max(excess - declared.get(line.material_id, ZERO), ZERO),
    }


def sign_off_row(sign_off):
    return {
        "role": sign_off.role,
        "signed_by": sign_off.signed_by.username,
        "signed_at": sign_off.signed_at,
    }


def closeout_facts(work_order):
    """Everything the checklist needs, in a fixed number of queries."""
    raw_output = output_totals(work_order)
    output = {k: v or ZERO for k, v in raw_output.items()}
    produced = output["good"] + output["scrap"]
    declared = dict(work_order.leftover_declarations.values_list("material_id", "quantity"))
    totals = material_totals([work_order.pk])
    lines = WorkOrderLine.objects.filter(work_order=work_order).select_related("material")
    return {
        "work_order": work_order,
        "reported": raw_output["good"] is not None,
        "output": output,
        "produced": produced,
        "usage": [line_usage(line, totals, produced, declared) for line in lines],
        "received": finished_goods_received(work_order),
        "sign_offs": {s.role: s for s in work_order.sign_offs.select_related("signed_by")},
        "requests": open_requests(work_order),
    }


def line_usage_of(work_order, material_id):
    """One requirement line and its usage (as ``closeout_facts`` computes it), or
    ``(None, None)`` when the order does not require the material."""
    line = (
        WorkOrderLine.objects.filter(work_order=work_order, material_id=material_id)
        .select_related("material", "work_order")
        .first()
    )
    if line is None:
        return None, None
    output = {k: v or ZERO for k, v in output_totals(work_order).items()}
    declared = dict(
        work_order.leftover_declarations.filter(material_id=material_id).values_list(
            "material_id", "quantity"
        )
    )
    totals = material_totals([work_order.pk])
    return line, line_usage(line, totals, output["good"] + output["scrap"], declared)


# ---------------------------------------------------------------------------- the checks


def check_output_reported(facts):
    planned, output, produced = facts["work_order"].planned_qty, facts["output"], facts["produced"]
    return facts["reported"], {
        "planned": planned,
        "good": output["good"],
        "scrap": output["scrap"],
        "produced": produced,
        "variance": produced - planned,
        "variance_pct": percent(produced - planned, planned),
    }


def check_consumption_variance(facts):
    """The variance report; lines over their allowance are flagged, not blocking."""
    return facts["reported"], {"lines": facts["usage"]}


def check_qc_passed(facts):
    sign_off = facts["sign_offs"].get(SignOffRole.QC)
    return sign_off is not None, sign_off_row(sign_off) if sign_off else {}


def check_finished_goods_received(facts):
    good, received = facts["output"]["good"], facts["received"]
    return received >= good, {
        "good": good,
        "received": received,
        "outstanding": max(good - received, ZERO),
    }


def check_leftovers_returned(facts):
    """Each line's excess is returned, carried over or declared consumed (R-W4, R-W5, R-W6);
    what remains is listed."""
    open_lines = [
        {"material": usage["material"], "quantity": usage["leftover"]}
        for usage in facts["usage"]
        if usage["leftover"] > 0
    ]
    return not open_lines, {"open": open_lines}


def check_scrap_recorded(facts):
    scrap = facts["output"]["scrap"]
    return facts["reported"], {"scrap": scrap, "scrap_pct": percent(scrap, facts["produced"])}


def check_requests_finished(facts):
    requests = facts["requests"]
    return not any(requests.values()), requests


def check_sign_offs(facts):
    signed = facts["sign_offs"]
    missing = [role for role in SignOffRole.values if role not in signed]
    return not missing, {
        "missing": missing,
        "signed": [sign_off_row(signed[role]) for role in SignOffRole.values if role in signed],
    }


CHECKS = (
    ("output_reported", _("Output reported and compared with plan"), check_output_reported),
    (
        "consumption_variance",
        _("Material consumption compared with the BOM"),
        check_consumption_variance,
    ),
    ("qc_passed", _("QC passed"), check_qc_passed),
    ("finished_goods_received", _("Finished goods received"), check_finished_goods_received),
    (
        "leftovers_returned",
        _("Leftover material returned or declared consumed"),
        check_leftovers_returned,
    ),
    ("scrap_recorded", _("Scrap recorded"), check_scrap_recorded),
    ("requests_finished", _("Return and replenish requests finished"), check_requests_finished),
    ("sign_offs", _("Signed off by production, QC, warehouse and finance"), check_sign_offs),
)


def closeout_checklist(work_order):
    """R-W4: the close-out items in screen order, each ``{code, label, ok, detail}``."""
    facts = closeout_facts(work_order)
    items = []
    for code, label, check in CHECKS:
        ok, detail = check(facts)
        items.append({"code": code, "label": label, "ok": ok, "detail": detail})
    for code, label, open_rows in closeout_items():
        rows = open_rows(work_order)
        items.append({"code": code, "label": label, "ok": not rows, "detail": {"rows": rows}})
    return items


def ensure_closeable(work_order):
    """Raise ``CloseOutBlocked`` listing every open item (R-W4)."""
    open_items = [item for item in closeout_checklist(work_order) if not item["ok"]]
    if open_items:
        raise CloseOutBlocked(work_order, open_items)


# ---------------------------------------------------------------------------- R-W5


def leftover_deadline(work_order):
    """Leftovers are due back 24 h after completion; ``None`` before completion."""
    if work_order.completed_at is None:
        return None
    return work_order.completed_at + timedelta(hours=LEFTOVER_RETURN_HOURS)


def leftover_overdue(work_order, now, checklist=None):
    """Past the deadline with leftovers still open (R-J2 alert). Pass ``checklist`` when
    already computed to save its queries."""
    deadline = leftover_deadline(work_order)
    if deadline is None or now <= deadline:
        return False
    checklist = checklist if checklist is not None else closeout_checklist(work_order)
    return not next(item["ok"] for item in checklist if item["code"] == "leftovers_returned")


def closeout_summary(work_order, now):
    """What the close-out screen shows: the checklist, whether closing is possible now, and
    the leftover deadline with its overdue flag."""
    items = closeout_checklist(work_order)
    closable_state = WorkOrderStatus.CLOSED in WORK_ORDER_TRANSITIONS[work_order.status]
    return {
        "work_order": work_order,
        "items": items,
        "can_close": closable_state and all(item["ok"] for item in items),
        "leftover_deadline": leftover_deadline(work_order),
        "leftover_overdue": leftover_overdue(work_order, now, checklist=items),
    }
