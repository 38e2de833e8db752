"""Finance pages (R-J1, R-J3): month-end summaries, (re)compute, confirm, reopen (issue #15),
the workbook."""

from io import BytesIO

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.confirm import confirmation_required
from core.errors import StateConflict
from core.excel import xlsx_response
from core.months import MonthField
from finance.models import MonthEnd, MonthEndState
from finance.month_end import (
    month_end_compute,
    month_end_confirm,
    month_end_reopen,
    month_ended,
    month_following,
    previous_month,
)
from finance.selectors import (
    month_end_flagged,
    month_end_list,
    month_end_responsible,
    month_end_tables,
)
from finance.workbook import month_end_workbook

VIEW_MONTH = "finance.view_monthend"
CONFIRM_MONTH = "finance.confirm_month"


class MonthForm(forms.Form):
    month = MonthField(label=gettext_lazy("Month"), up_to_now=True)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for reopening"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )


@login_required
@permission_required(VIEW_MONTH, raise_exception=True)
def month_end_list_view(request):
    form = MonthForm(initial={"month": f"{previous_month():%Y-%m}"})
    return render(
        request,
        "finance/month_end_list.html",
        {
            "month_ends": month_end_list(),
            "form": form,
            "can_manage": request.user.has_perm(CONFIRM_MONTH),
        },
    )


@login_required
@permission_required(VIEW_MONTH, raise_exception=True)
def month_end_detail(request, month):
    month_end = get_object_or_404(MonthEnd.objects.select_related("confirmed_by"), month=month)
    context = {
        "month_end": month_end,
        "tables": month_end_tables(month_end),
        "responsible": month_end_responsible(month_end),
        "flagged": month_end_flagged(month_end),
        "can_manage": request.user.has_perm(CONFIRM_MONTH),
        "confirmed": month_end.state == MonthEndState.CONFIRMED,
        "ended": month_ended(month_end.month),
        "confirmable_from": month_following(month_end.month),
        "reopen_form": ReopenForm(),
    }
    return render(request, "finance/month_end_detail.html", context)


@login_required
@permission_required(CONFIRM_MONTH, raise_exception=True)
@require_POST
def month_end_compute_view(request):
    form = MonthForm(request.POST)
    if not form.is_valid():
        for error in form.errors["month"]:
            messages.error(request, error)
        return redirect("finance:month_end")
    try:
        month_end = month_end_compute(month=form.cleaned_data["month"], actor=request.user)
    except StateConflict as error:
        messages.error(request, str(error))
        return redirect("finance:month_end")
    messages.success(request, _("Month %(month)s computed.") % {"month": month_end})
    return redirect("finance:month_end_detail", month=month_end.month)


@login_required
@permission_required(CONFIRM_MONTH, raise_exception=True)
@require_POST
@confirmation_required
def month_end_confirm_view(request, month):
    month_end = get_object_or_404(MonthEnd, month=month)
    try:
        month_end_confirm(month_end=month_end, actor=request.user, device=request.device_id)
    except StateConflict as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Month %(month)s is confirmed and locked.") % {"month": month_end}
        )
    return redirect("finance:month_end_detail", month=month_end.month)


@login_required
@permission_required(CONFIRM_MONTH, raise_exception=True)
@require_POST
@confirmation_required
def month_end_reopen_view(request, month):
    """Reopen a confirmed month with a reason; postings dated in it are taken again."""
    month_end = get_object_or_404(MonthEnd, month=month)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("finance:month_end_detail", month=month_end.month)
    try:
        month_end_reopen(
            month_end=month_end,
            reason=form.cleaned_data["reason"],
            actor=request.user,
            device=request.device_id,
        )
    except (StateConflict, ValidationError) as error:
        for text in getattr(error, "messages", [str(error)]):
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("Month %(month)s is reopened: postings dated in it are taken again.")
            % {"month": month_end},
        )
    return redirect("finance:month_end_detail", month=month_end.month)


@login_required
@permission_required(VIEW_MONTH, raise_exception=True)
def month_end_download(request, month):
    """The workbook is small (grouped rows): built at once in the user's language."""
    month_end = get_object_or_404(MonthEnd, month=month)
    content = BytesIO()
    month_end_workbook(month_end, content)
    return xlsx_response(content.getvalue(), f"month-end-{month_end}.xlsx")
