"""Points pages (R-J3, R-J4): the month's entries with totals per workshop and department,
a supervisor's record with evidence, and the GM office's spot-check review list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import StateConflict
from core.formatting import label
from core.lists import page_of
from core.months import month_parse
from finance.models import MonthEnd, SpotCheckProposal
from finance.month_end import month_current
from finance.points.entries import point_entry_record
from finance.points.forms import PointRecordForm, ProposalForm
from finance.points.selectors import point_entries, points_by_person, points_by_workshop
from finance.points.spot_check import spot_check_propose
from finance.selectors import month_end_flagged
from returns.models import ResponsibleParty

VIEW_POINTS = "finance.view_pointentry"
RECORD_POINTS = "finance.add_pointentry"
PROPOSE = "finance.propose_points"
ERRORS = (ValidationError, StateConflict, PermissionDenied)


def errors_shown(request, form, error) -> None:
    """A service's refusal on the form's fields (or as a message when it names none)."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        messages.error(request, error.messages[0] if hasattr(error, "messages") else str(error))


def month_asked(request):
    try:
        return month_parse(request.GET.get("month", ""))
    except ValidationError:
        return month_current()


@login_required
@permission_required(VIEW_POINTS, raise_exception=True)
def points_list(request):
    month = month_asked(request)
    by_workshop = points_by_workshop(month)
    for row in by_workshop:
        row["label"] = label(ResponsibleParty.choices, row["department"])
    by_person = points_by_person(month)
    for row in by_person:
        row["label"] = " · ".join(filter(None, [row["team"], row["person__username"]]))
    context = {
        "month": month,
        "by_workshop": by_workshop,
        "by_person": by_person,
        "page": page_of(request, point_entries(month)),
        "can_record": request.user.has_perm(RECORD_POINTS),
    }
    return render(request, "finance/points.html", context)


@login_required
@permission_required(RECORD_POINTS, raise_exception=True)
def points_record(request):
    form = PointRecordForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = point_entry_record(
                actor=request.user,
                device=getattr(request, "device_id", ""),
                **{name: data[name] for name in data if name != "used"},
                used=data["used"],
            )
        except ERRORS as error:
            errors_shown(request, form, error)
        else:
            messages.success(
                request,
                _("Recorded %(points)s points for %(source)s.")
                % {"points": f"{entry.points:+d}", "source": entry.source_number},
            )
            return redirect("finance:points")
    return render(request, "finance/points_record.html", {"form": form})


@login_required
@permission_required(PROPOSE, raise_exception=True)
def spot_check_list(request, month):
    """The month's flagged replenishments with their proposals, each with a form."""
    month_end = get_object_or_404(MonthEnd, month=month)
    proposals = SpotCheckProposal.objects.filter(month=month_end.month).select_related(
        "person", "proposed_by", "rule"
    )
    by_document = {}
    for proposal in proposals:
        by_document.setdefault(proposal.document_number, []).append(proposal)
    documents = month_end_flagged(month_end)
    for document in documents:
        document.proposals = by_document.get(document.number, [])
        document.form = ProposalForm(initial={"document_number": document.number})
    context = {"month_end": month_end, "documents": documents}
    return render(request, "finance/spot_check.html", context)


@login_required
@permission_required(PROPOSE, raise_exception=True)
@require_POST
def spot_check_propose_view(request, month):
    """A proposal of the review list; refusals come back as messages on the list."""
    month_end = get_object_or_404(MonthEnd, month=month)
    form = ProposalForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect("finance:spot_check", month=month_end.month)
    try:
        spot_check_propose(
            month_end=month_end,
            actor=request.user,
            device=getattr(request, "device_id", ""),
            **form.cleaned_data,
        )
    except ERRORS as error:
        for text in getattr(error, "messages", [str(error)]):
            messages.error(request, text)
    else:
        messages.success(request, _("Proposal sent to the executive GM and the GM."))
    return redirect("finance:spot_check", month=month_end.month)
