"""Pages of nonconforming-material records (不合格品处理单, R-R9): the list (filters, search,
pages), and a record's page with its joint sign-off and the keeper's disposition form
(asks first: the material moves)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.services import steps_of
from core.confirm import NOT_CONFIRMED, is_confirmed
from core.idempotency import idempotent_page
from core.lists import filtered_page, page_labels
from core.views import SERVICE_ERRORS, service_refused
from inventory.forms import one_field
from inventory.scanning import scan_location
from org.access import scoped
from returns.models import Disposition, NonconformingState
from returns.nonconforming_selectors import NonconformingFilter, nonconforming_records
from returns.services.nonconforming import nonconforming_dispose
from returns.views.kinds import actor

SCOPE = "work_order__workshop"


def records_in_scope(user):
    return scoped(nonconforming_records(), user, SCOPE)


class DispositionForm(forms.Form):
    disposition = forms.ChoiceField(
        label=gettext_lazy("Disposition"), choices=Disposition.choices, widget=forms.RadioSelect
    )
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity moved"), max_digits=14, decimal_places=4, min_value=0
    )
    location = forms.CharField(
        label=gettext_lazy("To location (optional)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "Empty: where it was issued from (use as is), the line side of the work order's "
            "workshop (rework), the scrap area or the supplier-return area."
        ),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def clean_location(self):
        code = (self.cleaned_data.get("location") or "").strip()
        return one_field(scan_location, code) if code else None


class ListFilter(NonconformingFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("state", "disposition"):
            self.filters[name].extra["empty_label"] = gettext_lazy("all")
        self.form.fields["q"].label = gettext_lazy("Search by number, return, material or lot")
        page_labels(self)


@login_required
def nonconforming_list(request):
    """Every nonconforming-material record the user may see."""
    filterset = ListFilter(request.GET, queryset=records_in_scope(request.user))
    return render(request, "returns/nonconforming_list.html", filtered_page(request, filterset))


@login_required
@idempotent_page
def nonconforming_detail(request, pk):
    record = get_object_or_404(records_in_scope(request.user), pk=pk)
    can_dispose = record.state == NonconformingState.SIGNED and request.user.has_perm(
        "returns.post_return"
    )
    form = DispositionForm(
        request.POST if request.method == "POST" else None,
        initial={"quantity": record.quantity},
    )
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and not can_dispose:
        messages.error(request, _("%(record)s cannot be disposed of now.") % {"record": record})
        status = 409
    elif request.method == "POST" and form.is_valid() and not is_confirmed(request):
        form.add_error(None, NOT_CONFIRMED)
    elif request.method == "POST" and form.is_valid():
        try:
            record = nonconforming_dispose(record=record, **form.cleaned_data, **actor(request))
        except SERVICE_ERRORS as error:
            status = service_refused(request, error, form)
        else:
            messages.success(
                request,
                _("%(record)s: %(disposition)s, moved to %(location)s; the record is closed.")
                % {
                    "record": record,
                    "disposition": record.get_disposition_display(),
                    "location": record.destination.code,
                },
            )
            return redirect("returns:nonconforming_detail", pk=record.pk)
    steps = (
        steps_of(record).select_related("decided_by", "on_behalf_of").order_by("round", "sequence")
    )
    context = {
        "record": record,
        "steps": steps,
        "form": form if can_dispose else None,
        "attachments": record.return_request.attachments.all(),
    }
    return render(request, "returns/nonconforming_detail.html", context, status=status)
