"""The issue page (领料, R-W3): scan a label, see the FEFO suggestion and the lot picked,
confirm, then ``work_order_issue`` books it, as the handheld's issue-scan does."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.idempotency import idempotent_page
from core.templatetags.numbers import qty
from core.views import SERVICE_ERRORS, service_refused
from inventory.forms import confirm_fields, confirm_stage
from inventory.scanning import lot_label
from inventory.selectors import fefo_suggestion
from workorders.forms import IssueForm
from workorders.leftovers import borrowed_deductions
from workorders.models import ISSUABLE_STATUSES
from workorders.selectors import attach_progress
from workorders.services.issuing import work_order_issue
from workorders.views import permitted_work_order

ISSUE_MATERIAL = "workorders.add_materialissue"


def deducted_rows(surplus, quantity):
    """The borrowed surplus that an issue of ``quantity`` takes first, source by source
    (seed 003 §5.8.2, as ``borrowed_surplus_deduct`` books it)."""
    rows, left = [], quantity
    for row in surplus:
        take = min(row["quantity"], left)
        if take <= 0:
            break
        rows.append({"work_order": row["work_order"], "quantity": take})
        left -= take
    return rows


def suggestions(work_order, deductions):
    """Each requirement line still to issue, less the borrowed surplus other orders left at
    the line, with its first-expired-first-out picks for the rest."""
    attach_progress([work_order])
    rows = []
    for line in work_order.lines.all():
        remaining = line.progress["remaining_to_issue"]
        deducted = deducted_rows(deductions.get(line.material_id, []), remaining)
        from_warehouse = remaining - sum(row["quantity"] for row in deducted)
        picks, shortfall = (
            fefo_suggestion(material=line.material, quantity=from_warehouse)
            if from_warehouse > 0
            else ([], 0)
        )
        rows.append(
            {
                "line": line,
                "remaining": remaining,
                "deducted": deducted,
                "from_warehouse": from_warehouse,
                "picks": picks,
                "shortfall": shortfall,
            }
        )
    return rows


def fefo_first(line):
    """The lot FEFO would pick first for the issued material, when the scanned one differs."""
    picks, _shortfall = fefo_suggestion(material=line.material, quantity=line.quantity)
    first = picks[0]["lot"] if picks else None
    return first if first is not None and line.lot is not None and first != line.lot else None


def deducted_message(deduction):
    return _(
        "%(qty)s %(material)s deducted: borrowed surplus from %(number)s (%(carry_over)s)."
    ) % {
        "qty": qty(deduction.quantity),
        "material": deduction.material.code,
        "number": deduction.work_order.number,
        "carry_over": deduction.number,
    }


@login_required
@idempotent_page
def work_order_issue_page(request, pk):
    work_order = permitted_work_order(request, pk, ISSUE_MATERIAL)
    form = IssueForm(request.POST or None)
    stage, status = confirm_stage(request, form), 400 if form.errors else 200
    if stage == "book":
        line = form.cleaned_data["line"]
        try:
            issue = work_order_issue(
                work_order=work_order,
                lines=[line],
                note=form.cleaned_data["note"],
                posting_date=form.cleaned_data["posting_date"],
                actor=request.user,
                device=request.device_id,
            )
        except SERVICE_ERRORS as error:
            stage, status = "edit", service_refused(request, error, form)
        else:
            for deduction in issue.deductions:
                messages.success(request, deducted_message(deduction))
            from_warehouse = line.quantity - sum(d.quantity for d in issue.deductions)
            messages.success(
                request,
                _("%(issue)s: %(qty)s %(material)s%(lot)s from %(location)s issued to %(number)s.")
                % {
                    "issue": issue.number,
                    "qty": qty(from_warehouse),
                    "material": line.material.code,
                    "lot": f" / {line.lot.batch_no}" if line.lot else "",
                    "location": line.location.code,
                    "number": work_order.number,
                },
            )
            return redirect("workorders:issue", pk=work_order.pk)
    deductions = borrowed_deductions(work_order)
    rows = suggestions(work_order, deductions)
    context = {
        "work_order": work_order,
        "form": form,
        "issuable": work_order.status in ISSUABLE_STATUSES,
        "rows": rows,
    }
    if stage == "confirm":
        line = form.cleaned_data["line"]
        remaining = next(
            (row["remaining"] for row in rows if row["line"].material_id == line.material.pk), 0
        )
        deducted = deducted_rows(
            deductions.get(line.material.pk, []), min(line.quantity, remaining)
        )
        context.update(
            deducted=deducted,
            from_warehouse=line.quantity - sum(row["quantity"] for row in deducted),
        )
        overrides = {"quantity": line.quantity, "location": line.location.code}
        if form.cleaned_data["fefo_picked"]:
            overrides["code"] = lot_label(line.lot)
        context.update(
            line=line,
            fefo_first=fefo_first(line),
            posting_date=form.cleaned_data["posting_date"],
            hidden=confirm_fields(form, **overrides),
        )
    return render(request, "workorders/issue.html", context, status=status)
