"""The supervisor's inbox (R-A3, R-A6): open steps with what is needed to decide, approve or
reject with a comment, bulk approval."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals import selectors
from approvals.forms import BulkApproveForm, DecisionForm
from approvals.routing import route_display
from approvals.services import approval_decide
from core.lists import page_of, url_template
from core.views import SERVICE_ERRORS, service_failed


def posted_ids(request, name):
    """The values posted under ``name`` that can be ids (decimal digits within a bigint);
    anything else is ignored, never a 500."""
    values = request.POST.getlist(name)
    return [int(value) for value in values if value.isdecimal() and len(value) < 19]


def decide(request, step, *, approve, comment):
    """One decision; a failure is shown as a message naming the request."""
    try:
        approval_decide(
            step=step,
            actor=request.user,
            approve=approve,
            comment=comment,
            device=getattr(request, "device_id", ""),
        )
    except SERVICE_ERRORS as error:
        service_failed(request, error)
        return False
    return True


@login_required
def inbox(request):
    """The steps waiting for the user's signature, each with its request, lines, routing
    context (ratio, band, matrix cell) and the earlier decisions."""
    page = page_of(request, selectors.inbox_for(user=request.user))
    # values() of the page's slice: the count runs without the page's joins
    steps = selectors.step_rows(selectors.step_values(page.object_list))
    links = {  # reversed once for the page, not three times a step
        "approve_url": url_template("approvals:decide", "pk", decision="approve"),
        "reject_url": url_template("approvals:decide", "pk", decision="reject"),
    }
    slip = url_template("returns:slip_print", "number")
    for step in steps:
        step.update({name: link.format(pk=step["id"]) for name, link in links.items()})
        number = step["request"]["number"]
        step["slip_url"] = slip.format(number=number) if number else ""
        step["route_lines"] = step["context"].get("lines", [])
        for line in step["route_lines"]:  # display only, never saved
            line["display"] = route_display(line)
    return render(
        request, "approvals/inbox.html", {"steps": steps, "page": page, "form": DecisionForm()}
    )


def step_in_scope(request, pk):
    """A step of the user's tiers (any state: a decided one answers with its state)."""
    return selectors.steps_in_scope(user=request.user).filter(pk=pk).first()


@require_POST
@login_required
def step_decide(request, pk, decision):
    step = step_in_scope(request, pk)
    if step is None or decision not in ("approve", "reject"):
        messages.error(request, _("This step is not in your inbox."))
        return redirect("approvals:inbox")
    form = DecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    if decide(request, step, approve=decision == "approve", comment=comment):
        done = _("Approved: %(request)s.") if decision == "approve" else _("Rejected: %(request)s.")
        messages.success(request, done % {"request": step.request})
    return redirect("approvals:inbox")


@require_POST
@login_required
def bulk_approve(request):
    """Approve the ticked steps, each in its own transaction; one failure stops nothing."""
    ids = posted_ids(request, "steps")
    form = BulkApproveForm(request.POST, step_ids=ids)
    if not form.is_valid() or not ids:
        messages.error(request, _("Tick the steps to approve."))
        return redirect("approvals:inbox")
    steps = selectors.steps_in_scope(user=request.user).in_bulk(ids)
    approved = sum(
        decide(request, steps[pk], approve=True, comment=form.cleaned_data["comment"])
        for pk in ids
        if pk in steps
    )
    messages.success(request, _("%(count)s steps approved.") % {"count": approved})
    return redirect("approvals:inbox")
