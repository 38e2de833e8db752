"""Pages for QC and the warehouse: QC verdicts, the keeper's receipt (receive and post in
one step), issuing replenishments and fulfilling shortage slips."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.confirm import NOT_CONFIRMED, is_confirmed
from core.idempotency import idempotent_page
from core.lists import page_of
from core.views import SERVICE_ERRORS, service_failed
from inventory.scanning import resolved
from returns import forms
from returns.debt_selectors import debt_text, debts_of_return
from returns.models import ReplenishState, ReturnState, ShortageState
from returns.services import issuing
from returns.services.return_lines import numbered_lines
from returns.services.return_qc import return_qc_verdict
from returns.services.return_receipt import return_receive
from returns.services.return_refusal import return_qc_reject, return_refuse
from returns.views.kinds import (
    actor,
    replenishments_in_scope,
    returns_in_scope,
    shortages_in_scope,
)

NOT_A_RETURN_SLIP = gettext_lazy("%(code)s is not a return slip waiting for receipt.")


# ---------------------------------------------------------------------------- QC


@permission_required("returns.give_qc_verdict", raise_exception=True)
def qc_list(request):
    waiting = returns_in_scope(request.user).filter(state=ReturnState.REVIEWED)
    return render(request, "returns/qc_list.html", {"slips": page_of(request, waiting)})


@permission_required("returns.give_qc_verdict", raise_exception=True)
def qc_verdict(request, pk):
    """R-R4: good / supplier defect / process defect with its rate, per line."""
    slip = get_object_or_404(returns_in_scope(request.user), pk=pk)
    lines = numbered_lines(slip)
    initial = [{"line": line.pk, "verdict": line.verdict} for line in lines]
    formset = forms.VerdictFormSet(request.POST or None, initial=initial)
    if request.method == "POST" and formset.is_valid():
        verdicts = [form.cleaned_data for form in formset]
        try:
            return_qc_verdict(return_request=slip, verdicts=verdicts, **actor(request))
        except SERVICE_ERRORS as error:
            service_failed(request, error, formset)
        else:
            messages.success(request, _("QC verdict recorded for %(slip)s.") % {"slip": slip})
            return redirect("returns:qc_list")
    context = {
        "slip": slip,
        "rows": list(zip(lines, formset.forms, strict=True)),
        "formset": formset,
        "rejection_form": forms.RejectionForm(prefix="reject"),
    }
    return render(request, "returns/qc_verdict.html", context)


def rejected(request, service, slip, done):
    """Run the keeper's refusal or QC's rejection with the reason of the posted form; the
    form's or the service's refusal is shown as a message."""
    form = forms.RejectionForm(request.POST, prefix="reject")
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors))
        return False
    try:
        service(return_request=slip, reason=form.reason(), **actor(request))
    except SERVICE_ERRORS as error:
        service_failed(request, error)
        return False
    messages.success(request, done % {"slip": slip})
    return True


@require_POST
@permission_required("returns.give_qc_verdict", raise_exception=True)
@idempotent_page
def qc_reject(request, pk):
    """QC sends the slip back to the applicant with the reason instead of a verdict."""
    slip = get_object_or_404(returns_in_scope(request.user), pk=pk)
    if rejected(request, return_qc_reject, slip, _("%(slip)s rejected and sent back.")):
        return redirect("returns:qc_list")
    return redirect("returns:qc_verdict", pk=slip.pk)


# ---------------------------------------------------------------------------- warehouse


def slip_for_receipt(request, code):
    """The return slip a scanned code names, in the keeper's scope and waiting for receipt."""
    try:
        result = resolved(code, "slip")
    except ValidationError as error:
        return None, " ".join(error.messages)
    slip = result.get("type") == "return_request" and (
        returns_in_scope(request.user).filter(pk=result["id"], state=ReturnState.INSPECTED).first()
    )
    if not slip:
        return None, NOT_A_RETURN_SLIP % {"code": code}
    return slip, ""


@permission_required("returns.receive_return", raise_exception=True)
@idempotent_page
def receiving(request):
    """Scan the slip, then each line's label with the counted quantity and the location;
    receipt and posting to the ledger in one step (R-R5…R-R7)."""
    scan = forms.ScanSlipForm(request.GET or None)
    slip, slip_error = None, ""
    if scan.is_valid():
        slip, slip_error = slip_for_receipt(request, scan.cleaned_data["slip"])
    lines = numbered_lines(slip) if slip else []
    formset = forms.ReceiptLineFormSet(
        request.POST if request.method == "POST" and slip else None, slip_lines=lines
    )
    if slip and request.method == "POST" and formset.is_valid() and not is_confirmed(request):
        formset.non_form_errors().append(NOT_CONFIRMED)
    elif slip and request.method == "POST" and formset.is_valid():
        try:
            slip = return_receive(
                return_request=slip,
                lines=[form.receipt() for form in formset],
                post=request.user.has_perm("returns.post_return"),
                **actor(request),
            )
        except SERVICE_ERRORS as error:
            service_failed(request, error, formset)
        else:
            messages.success(
                request,
                _("%(slip)s is %(state)s.") % {"slip": slip, "state": slip.get_state_display()},
            )
            for debt in debts_of_return(slip):  # R-P5: received less than was replaced
                if debt.is_open and slip.state == ReturnState.POSTED:
                    messages.warning(request, debt_text(debt))
            return redirect(reverse("returns:receiving"))
    context = {
        "scan": scan,
        "slip": slip,
        "slip_error": slip_error,
        "rows": list(zip(lines, formset.forms, strict=True)),
        "formset": formset,
        "rejection_form": forms.RejectionForm(prefix="reject"),
        "waiting": page_of(
            request,
            returns_in_scope(request.user).filter(state=ReturnState.INSPECTED),
            param="waiting_page",
        ),
        "to_issue": page_of(
            request,
            replenishments_in_scope(request.user).filter(state=ReplenishState.APPROVED),
            param="issue_page",
        ),
    }
    return render(request, "returns/receiving.html", context)


@require_POST
@permission_required("returns.receive_return", raise_exception=True)
@idempotent_page
def receiving_refuse(request, pk):
    """R-R5: the keeper refuses the slip (mixed materials, an unclear reason, the wrong
    material) and it goes back to the applicant with the reason."""
    slip = get_object_or_404(returns_in_scope(request.user), pk=pk)
    if rejected(request, return_refuse, slip, _("%(slip)s refused and sent back.")):
        return redirect("returns:receiving")
    return redirect(f"{reverse('returns:receiving')}?slip={slip.number or ''}")


@require_POST
@permission_required("returns.issue_replenishment", raise_exception=True)
@idempotent_page
def replenish_issue(request, pk):
    """Issue an approved replenishment (FEFO picking); what is missing opens a shortage slip.
    Asks first (core/confirm.py)."""
    replenishment = get_object_or_404(replenishments_in_scope(request.user), pk=pk)
    if not is_confirmed(request):
        messages.error(request, NOT_CONFIRMED)
        return redirect("returns:receiving")
    try:
        issued = issuing.replenish_issue(replenish_request=replenishment, **actor(request))
    except SERVICE_ERRORS as error:
        service_failed(request, error)
    else:
        messages.success(
            request,
            _("%(slip)s is %(state)s.") % {"slip": issued, "state": issued.get_state_display()},
        )
    return redirect("returns:receiving")


@permission_required("returns.change_shortageslip", raise_exception=True)
def shortages(request):
    slips = shortages_in_scope(request.user).filter(state=ShortageState.OPEN)
    return render(request, "returns/shortages.html", {"slips": page_of(request, slips)})


@require_POST
@permission_required("returns.change_shortageslip", raise_exception=True)
def shortage_fulfil(request, pk):
    """Issue the slip's quantity now that stock has arrived; asks first (core/confirm.py)."""
    slip = get_object_or_404(shortages_in_scope(request.user), pk=pk)
    if not is_confirmed(request):
        messages.error(request, NOT_CONFIRMED)
        return redirect("returns:shortages")
    try:
        issuing.shortage_fulfil(slip=slip, **actor(request))
    except SERVICE_ERRORS as error:
        service_failed(request, error)
    else:
        messages.success(request, _("%(slip)s fulfilled.") % {"slip": slip})
    return redirect("returns:shortages")
