"""Pages for clerks, QC and the warehouse (issue #6): they parse forms and scans, call the same
services as the API, and show the services' messages next to the fields."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from approvals.services import request_scope_require, steps_of
from audit.models import AuditEvent
from core.errors import StateConflict
from core.views import SERVICE_ERRORS, service_failed
from inventory.scanning import resolved
from org.access import scoped
from returns import forms, selectors
from returns.models import ReplenishState, ReturnState, ShortageState
from returns.services import attachments as attachment_services
from returns.services import issuing, replenish
from returns.services.common import STATES, TRANSITIONS
from returns.services.return_drafting import return_cancel, return_create, return_submit
from returns.services.return_lines import numbered_lines
from returns.services.return_qc import return_qc_verdict
from returns.services.return_receipt import return_receive
from workorders.models import WorkOrder

NOT_A_RETURN_SLIP = gettext_lazy("%(code)s is not a return slip waiting for receipt.")


def scan_return(rows, code, work_order):
    return forms.return_rows_scan(rows, code)


@dataclass(frozen=True)
class Kind:
    """What differs between the return and the replenishment pages."""

    name: str
    domain_arg: str  # the keyword the services take the request as
    perm: str
    form: type
    formset: type
    scan: Callable  # (rows, code, work_order) -> rows
    service_lines: Callable  # valid formset -> the service's ``lines``
    create: Callable
    submit: Callable
    cancel: Callable
    queryset: Callable


KINDS = {
    "return": Kind(
        name="return",
        domain_arg="return_request",
        perm="returns.add_returnrequest",
        form=forms.ReturnForm,
        formset=forms.ReturnLineFormSet,
        scan=scan_return,
        service_lines=forms.return_service_lines,
        create=return_create,
        submit=return_submit,
        cancel=return_cancel,
        queryset=selectors.return_requests,
    ),
    "replenish": Kind(
        name="replenish",
        domain_arg="replenish_request",
        perm="returns.add_replenishrequest",
        form=forms.ReplenishForm,
        formset=forms.ReplenishLineFormSet,
        scan=forms.replenish_rows_scan,
        service_lines=forms.replenish_service_lines,
        create=replenish.replenish_create,
        submit=replenish.replenish_submit,
        cancel=replenish.replenish_cancel,
        queryset=selectors.replenish_requests,
    ),
}


def kind_of(name):
    if name not in KINDS:
        raise Http404
    return KINDS[name]


REQUEST_SCOPE = "work_order__workshop"
SHORTAGE_SCOPE = "replenish_line__request__work_order__workshop"


def returns_in_scope(user):
    return scoped(selectors.return_requests(), user, REQUEST_SCOPE)


def replenishments_in_scope(user):
    return scoped(selectors.replenish_requests(), user, REQUEST_SCOPE)


def shortages_in_scope(user):
    return scoped(selectors.shortage_slips(), user, SHORTAGE_SCOPE)


def work_orders_for(user):
    return scoped(WorkOrder.objects.all(), user)


def actor(request):
    return {"actor": request.user, "device": getattr(request, "device_id", "")}


# ---------------------------------------------------------------------------- new request


def typed_work_order(request, work_orders):
    number = forms.typed(request.POST.get("work_order") or request.GET.get("work_order") or "")
    number = number.strip()
    return work_orders.filter(number=number).first() if number else None


def formset_kwargs(kind, work_order):
    if kind.name == "replenish":
        return {"form_kwargs": {"citable": forms.citable_lines(work_order)}}
    return {}


def request_page(request, kind, header, formset, work_order, scan_error=""):
    rows = forms.rows_of(formset)
    context = {
        "kind": kind.name,
        "form": header,
        "formset": formset,
        "materials": forms.material_names(rows),
        "scan_error": scan_error,
        "work_order": work_order,
    }
    return render(request, "returns/request_form.html", context)


def scanned(request, kind, work_orders):
    """The scan field's Enter: resolve the code and add or fill a line (htmx swaps the
    lines area, the page without JavaScript re-renders whole)."""
    work_order = typed_work_order(request, work_orders)
    posted = kind.formset(request.POST, **formset_kwargs(kind, work_order))
    rows, scan_error = forms.rows_of(posted), ""
    try:
        rows = kind.scan(rows, forms.typed(request.POST.get("code", "")), work_order)
    except ValidationError as error:
        scan_error = " ".join(error.messages)
    formset = kind.formset(initial=rows, **formset_kwargs(kind, work_order))
    header = kind.form(initial=request.POST.dict(), work_orders=work_orders)
    if request.headers.get("HX-Request"):
        response = render(
            request,
            "returns/_lines.html",
            {
                "kind": kind.name,
                "formset": formset,
                "materials": forms.material_names(rows),
                "scan_error": scan_error,
            },
        )
        response["HX-Trigger"] = "lines-changed"
        return response
    return request_page(request, kind, header, formset, work_order, scan_error)


def chain_preview(request, kind, work_orders):
    """The live approval-chain preview of a replenishment being typed (R-A2…R-A4)."""
    header = kind.form(request.POST, work_orders=work_orders)
    work_order = typed_work_order(request, work_orders)
    formset = kind.formset(request.POST, **formset_kwargs(kind, work_order))
    preview, problem = None, ""
    if header.is_valid() and formset.is_valid() and formset.forms:
        try:
            preview = forms.chain_preview(
                work_order=header.cleaned_data["work_order"],
                reason=header.cleaned_data["reason"],
                lines=kind.service_lines(formset),
            )
        except ValidationError as error:
            problem = " ".join(error.messages)
    return render(request, "returns/_preview.html", {"preview": preview, "problem": problem})


@login_required
def request_new(request, kind):
    """A new return (退料) or replenishment (补料) for a work order, filled by scanning."""
    kind = kind_of(kind)
    if not request.user.has_perm(kind.perm):
        raise PermissionDenied
    work_orders = work_orders_for(request.user)
    action = request.POST.get("action")
    if action == "scan":
        return scanned(request, kind, work_orders)
    if action == "preview":
        return chain_preview(request, kind, work_orders)
    work_order = typed_work_order(request, work_orders)
    if request.method != "POST":
        header = kind.form(initial=request.GET.dict(), work_orders=work_orders)
        formset = kind.formset(**formset_kwargs(kind, work_order))
        return request_page(request, kind, header, formset, work_order)
    header = kind.form(request.POST, work_orders=work_orders)
    formset = kind.formset(request.POST, **formset_kwargs(kind, work_order))
    if header.is_valid() and formset.is_valid():
        try:
            created = kind.create(
                work_order=header.cleaned_data["work_order"],
                reason=header.cleaned_data["reason"],
                explanation=header.cleaned_data["explanation"],
                lines=kind.service_lines(formset),
                applicant=request.user,
                device=getattr(request, "device_id", ""),
                submit=action == "submit",
            )
        except SERVICE_ERRORS as error:
            service_failed(request, error, header, formset)
        else:
            messages.success(request, _("%(request)s saved.") % {"request": created})
            return redirect("returns:request_detail", kind=kind.name, pk=created.pk)
    return request_page(request, kind, header, formset, work_order)


# ---------------------------------------------------------------------------- my requests


@login_required
def my_requests(request):
    returns = selectors.return_requests().filter(applicant=request.user)[:100]
    replenishments = selectors.replenish_requests().filter(applicant=request.user)[:100]
    return render(
        request,
        "returns/my_requests.html",
        {"returns": returns, "replenishments": replenishments},
    )


def request_of(request, kind, pk):
    kind = kind_of(kind)
    queryset = scoped(kind.queryset(), request.user, REQUEST_SCOPE)
    return kind, get_object_or_404(queryset, pk=pk)


# The audit actions of request services (``returns.services.common.audit``), as people read them.
ACTIONS = {
    "create": pgettext_lazy("request history", "created"),
    "line_add": gettext_lazy("line added"),
    "submit": gettext_lazy("submitted"),
    "approve": gettext_lazy("approved"),
    "reject": gettext_lazy("rejected"),
    "refuse": gettext_lazy("refused at receipt"),
    "cancel": gettext_lazy("withdrawn"),
    "qc_verdict": gettext_lazy("QC verdict given"),
    "receive": gettext_lazy("received"),
    "post": gettext_lazy("posted"),
    "confirm": gettext_lazy("confirmed by finance"),
    "issue": gettext_lazy("issued"),
    "fulfil": gettext_lazy("shortage fulfilled"),
    "attach": gettext_lazy("file attached"),
    "detach": gettext_lazy("file removed"),
}


def history_of(obj):
    """The request's audit events, oldest first, with readable action and state."""
    states = dict(STATES[type(obj)].choices)
    events = AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("seq")
    for event in events:
        verb = event.action.rpartition(".")[2]
        event.label = ACTIONS.get(verb, verb)
        event.state_label = states.get((event.after or {}).get("state"), "")
        yield event


def can_move(obj, state):
    """Whether the request's transitions map allows the move (the buttons shown)."""
    model = type(obj)
    return getattr(STATES[model], state) in TRANSITIONS[model][obj.state]


def detail_page(request, kind, obj, attachment_form=None, status=200):
    mine = obj.applicant_id == request.user.pk
    steps = steps_of(obj).select_related("decided_by", "on_behalf_of").order_by("round", "sequence")
    may_attach = attachment_services.may_attach(obj, request.user)
    context = {
        "kind": kind.name,
        "obj": obj,
        "steps": steps,
        "history": history_of(obj),
        "can_submit": mine and can_move(obj, "SUBMITTED"),
        "can_cancel": mine and can_move(obj, "CANCELLED"),
        "attachments": obj.attachments.select_related("uploaded_by"),
        "attachment_form": (attachment_form or forms.AttachmentForm()) if may_attach else None,
        "can_remove_attachments": attachment_services.removable(obj),
    }
    return render(request, "returns/request_detail.html", context, status=status)


@login_required
def request_detail(request, kind, pk):
    """One request: state, lines, attachments, approval steps and the audit history; print
    the slip."""
    kind, obj = request_of(request, kind, pk)
    return detail_page(request, kind, obj)


@require_POST
@login_required
def request_action(request, kind, pk, action):
    """The applicant submits (again) or withdraws the request."""
    kind, obj = request_of(request, kind, pk)
    services = {"submit": kind.submit, "cancel": kind.cancel}
    if action not in services:
        raise Http404
    try:
        services[action](**{kind.domain_arg: obj}, **actor(request))
    except SERVICE_ERRORS as error:
        service_failed(request, error)
    else:
        messages.success(request, _("%(request)s updated.") % {"request": obj})
    return redirect("returns:request_detail", kind=kind.name, pk=obj.pk)


# ---------------------------------------------------------------------------- attachments


def refusal_status(error):
    """A refused upload answers like the API: 409 wrong state, 403 not yours, 400 bad file."""
    if isinstance(error, StateConflict):
        return 409
    return 403 if isinstance(error, PermissionDenied) else 400


@require_POST
@login_required
def attachment_add(request, kind, pk):
    """Attach a photo or PDF; a refusal shows the page again with the reason."""
    kind, obj = request_of(request, kind, pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return detail_page(request, kind, obj, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        attachment_services.attachment_add(slip=obj, upload=upload, **actor(request))
    except SERVICE_ERRORS as error:
        service_failed(request, error, form)
        return detail_page(request, kind, obj, form, status=refusal_status(error))
    messages.success(request, _("%(name)s attached.") % {"name": upload.name})
    return redirect("returns:request_detail", kind=kind.name, pk=obj.pk)


@require_POST
@login_required
def attachment_remove(request, kind, pk, attachment):
    kind, obj = request_of(request, kind, pk)
    attachment = get_object_or_404(obj.attachments, pk=attachment)
    try:
        attachment_services.attachment_remove(attachment=attachment, **actor(request))
    except SERVICE_ERRORS as error:
        service_failed(request, error)
    else:
        messages.success(request, _("%(name)s removed.") % {"name": attachment})
    return redirect("returns:request_detail", kind=kind.name, pk=obj.pk)


@login_required
def attachment_download(request, kind, pk, attachment):
    """A file of a request the user reaches (404 otherwise), never from a storage URL;
    photos open in the browser, PDFs download, and the browser must not guess the type."""
    # The approvers who see the request in their inbox reach its files too (the service rule).
    obj = get_object_or_404(kind_of(kind).queryset(), pk=pk)
    request_scope_require(request=obj, actor=request.user)
    attachment = get_object_or_404(obj.attachments, pk=attachment)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not attachment.is_image,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------- QC


@permission_required("returns.give_qc_verdict", raise_exception=True)
def qc_list(request):
    waiting = returns_in_scope(request.user).filter(state=ReturnState.REVIEWED)
    return render(request, "returns/qc_list.html", {"slips": waiting})


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
    return render(
        request,
        "returns/qc_verdict.html",
        {"slip": slip, "rows": list(zip(lines, formset.forms, strict=True)), "formset": formset},
    )


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
    if slip and request.method == "POST" and formset.is_valid():
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
            return redirect(reverse("returns:receiving"))
    context = {
        "scan": scan,
        "slip": slip,
        "slip_error": slip_error,
        "rows": list(zip(lines, formset.forms, strict=True)),
        "formset": formset,
        "waiting": returns_in_scope(request.user).filter(state=ReturnState.INSPECTED)[:50],
        "to_issue": replenishments_in_scope(request.user).filter(state=ReplenishState.APPROVED)[
            :50
        ],
    }
    return render(request, "returns/receiving.html", context)


@require_POST
@permission_required("returns.issue_replenishment", raise_exception=True)
def replenish_issue(request, pk):
    """Issue an approved replenishment (FEFO picking); what is missing opens a shortage slip."""
    replenishment = get_object_or_404(replenishments_in_scope(request.user), pk=pk)
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
    return render(request, "returns/shortages.html", {"slips": slips[:200]})


@require_POST
@permission_required("returns.change_shortageslip", raise_exception=True)
def shortage_fulfil(request, pk):
    slip = get_object_or_404(shortages_in_scope(request.user), pk=pk)
    try:
        issuing.shortage_fulfil(slip=slip, **actor(request))
    except SERVICE_ERRORS as error:
        service_failed(request, error)
    else:
        messages.success(request, _("%(slip)s fulfilled.") % {"slip": slip})
    return redirect("returns:shortages")
