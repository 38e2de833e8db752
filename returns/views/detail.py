"""A request's own pages: my requests, the detail with its steps and history, the
applicant's submit and withdraw, and its attachments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from approvals.services import request_scope_require, steps_of
from audit.models import AuditEvent
from core.confirm import NOT_CONFIRMED, is_confirmed
from core.errors import StateConflict
from core.lists import page_of
from core.views import SERVICE_ERRORS, service_failed
from inventory.scanning import scan_item
from org.access import scoped
from returns import forms, selectors
from returns.debt_selectors import debt_text, debts_of_replenishment, debts_of_return
from returns.services import attachments as attachment_services
from returns.services.common import STATES, TRANSITIONS
from returns.services.line_edits import may_edit
from returns.views.kinds import (
    REQUEST_SCOPE,
    actor,
    kind_of,
)


@login_required
def my_requests(request):
    returns = selectors.return_requests().filter(applicant=request.user)
    replenishments = selectors.replenish_requests().filter(applicant=request.user)
    returns = page_of(request, returns, param="returns_page")
    replenishments = page_of(request, replenishments, param="replenish_page")
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
    "line_remove": gettext_lazy("line removed"),
    "line_change": gettext_lazy("line changed"),
    "qc_reject": gettext_lazy("rejected by QC"),
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
    ).order_by("id")
    for event in events:
        verb = event.action.rpartition(".")[2]
        event.label = ACTIONS.get(verb, verb)
        event.state_label = states.get((event.after or {}).get("state"), "")
        yield event


def can_move(obj, state):
    """Whether the request's transitions map allows the move (the buttons shown)."""
    model = type(obj)
    return getattr(STATES[model], state) in TRANSITIONS[model][obj.state]


def lines_of(kind, obj):
    """The request's lines in order; a replenishment's with the lots issued for them."""
    lines = list(obj.lines.all())
    lots = selectors.issued_lots(obj) if kind.name == "replenish" else {}
    for position, line in enumerate(lines, start=1):
        line.issued_lots = lots.get(position, [])
    return lines


def debts_shown(kind, obj):
    """R-P5: the replacement debts the request owes (replenishment) or is owed (return)."""
    of = debts_of_return if kind.name == "return" else debts_of_replenishment
    return [{"text": debt_text(debt), "open": debt.is_open} for debt in of(obj)]


def detail_page(request, kind, obj, attachment_form=None, status=200, line_add_form=None):
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
        "lines": lines_of(kind, obj),
        "can_edit": may_edit(obj, request.user),
        "line_add_form": line_add_form or forms.LineAddForm(),
        "debts": debts_shown(kind, obj),
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
    if action == "cancel" and not is_confirmed(request):  # withdrawing cannot be undone
        messages.error(request, NOT_CONFIRMED)
        return redirect("returns:request_detail", kind=kind.name, pk=obj.pk)
    try:
        services[action](**{kind.domain_arg: obj}, **actor(request))
    except SERVICE_ERRORS as error:
        service_failed(request, error)
    else:
        messages.success(request, _("%(request)s updated.") % {"request": obj})
    return redirect("returns:request_detail", kind=kind.name, pk=obj.pk)


# ---------------------------------------------------------------------------- line edits


@require_POST
@login_required
def line_edit(request, kind, pk, line, action):
    """The applicant changes a line's quantity or removes the line of a draft or a rejected
    request (the services refuse any other state with a 409)."""
    kind, obj = request_of(request, kind, pk)
    if action not in ("change", "remove"):
        raise Http404
    line = get_object_or_404(obj.lines.all(), pk=line)
    try:
        if action == "remove":
            kind.line_remove(**{kind.line_arg: line}, **actor(request))
            messages.success(request, _("Line removed from %(request)s.") % {"request": obj})
        else:
            form = forms.LineQuantityForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors)
            kind.line_change(
                **{kind.line_arg: line}, quantity=form.cleaned_data["quantity"], **actor(request)
            )
            messages.success(request, _("Line changed on %(request)s.") % {"request": obj})
    except SERVICE_ERRORS as error:
        service_failed(request, error)
        return detail_page(request, kind, obj, status=refusal_status(error))
    return redirect("returns:request_detail", kind=kind.name, pk=obj.pk)


@require_POST
@login_required
def line_add(request, kind, pk):
    """The applicant scans a label to add a line to a draft or a rejected request."""
    kind, obj = request_of(request, kind, pk)
    form = forms.LineAddForm(request.POST)
    if form.is_valid():
        try:
            item = scan_item(form.cleaned_data["code"])
            kind.line_add(obj, item, form.cleaned_data["quantity"], **actor(request))
        except SERVICE_ERRORS as error:
            service_failed(request, error, form)
            return detail_page(request, kind, obj, status=refusal_status(error), line_add_form=form)
        messages.success(request, _("Line added to %(request)s.") % {"request": obj})
        return redirect("returns:request_detail", kind=kind.name, pk=obj.pk)
    return detail_page(request, kind, obj, status=400, line_add_form=form)


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
