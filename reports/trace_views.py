"""Traceability pages (R-L3): from a lot or serial number every movement, the work orders
it went to and where it is now; from a work order every lot it consumed. Reads only; the
recall list is an export job (kind ``recall``)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from inventory.models import LedgerEntry, Lot, Serial
from org.access import is_plant_wide, scope_queryset
from reports.ledger import flows
from workorders.models import WorkOrder

TIMELINE_LIMIT = 1000  # a page stays readable; the recall export has every row
NOT_FOUND = _("No lot or serial number %(value)s of material %(material)s.")


class TraceForm(forms.Form):
    material = forms.CharField(label=_("Material code"), max_length=64)
    lot = forms.CharField(label=_("Batch number"), max_length=64, required=False)
    serial = forms.CharField(label=_("Serial number"), max_length=64, required=False)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if bool(cleaned["lot"]) == bool(cleaned["serial"]):
            raise forms.ValidationError(_("Give a batch number or a serial number."))
        if cleaned["lot"]:
            found = Lot.objects.filter(material__code=cleaned["material"], batch_no=cleaned["lot"])
        else:
            found = Serial.objects.filter(
                material__code=cleaned["material"], serial_no=cleaned["serial"]
            )
        subject = found.select_related("material").first()
        if subject is None:
            raise forms.ValidationError(
                NOT_FOUND,
                params={
                    "value": cleaned["lot"] or cleaned["serial"],
                    "material": cleaned["material"],
                },
            )
        cleaned["subject"] = subject
        return cleaned


def require_trace_access(user):
    """A lot crosses every workshop, so tracing it is for plant-wide roles (org.access)."""
    if not is_plant_wide(user):
        raise PermissionDenied


def subject_entries(subject):
    field = "lot" if isinstance(subject, Lot) else "serial"
    return LedgerEntry.objects.filter(**{field: subject})


def trace_of(subject):
    """The timeline, work orders and locations of a lot or serial, in four queries."""
    entries = subject_entries(subject)
    timeline = entries.select_related("location", "work_order", "actor", "serial", "lot").order_by(
        "created_at", "id"
    )
    work_orders = flows(
        entries.filter(work_order__isnull=False),
        "work_order_id",
        "work_order__number",
        "work_order__status",
        "work_order__workshop__code",
    )
    locations = (
        entries.values("location__code", "location__warehouse__code", "location__kind")
        .annotate(on_hand=Sum("quantity"))
        .exclude(on_hand=0)
        .order_by("location__code")
    )
    return {
        "count": entries.count(),
        "timeline": timeline[:TIMELINE_LIMIT],
        "work_orders": list(work_orders),
        "locations": list(locations),
    }


@login_required
def trace_search(request):
    require_trace_access(request.user)
    form = TraceForm(request.GET or None)
    context = {"form": form, "limit": TIMELINE_LIMIT}
    if form.is_valid():
        subject = form.cleaned_data["subject"]
        context.update(subject=subject, is_lot=isinstance(subject, Lot), **trace_of(subject))
    return render(request, "reports/trace.html", context)


@login_required
def work_order_lots(request, pk):
    """Every lot a work order consumed (R-L3); any user who sees the work order."""
    work_order = get_object_or_404(scope_queryset(WorkOrder.objects.all(), request.user), pk=pk)
    lots = flows(
        LedgerEntry.objects.filter(work_order=work_order),
        "material__code",
        "material__name",
        "lot__batch_no",
        "lot__expiry_date",
        "lot__supplier__code",
        "lot__supplier__name",
    )
    return render(
        request,
        "reports/trace_work_order.html",
        {"work_order": work_order, "lots": list(lots), "can_export": is_plant_wide(request.user)},
    )
