"""QC's lot inspection page (R-M4, issue #15): purchased lots received pending inspection
(or held in quarantine) wait here, and QC passes or fails each through
``lot_set_inspection_status``, as the API's ``lots/<id>/inspection/``. Until then FEFO
issues nothing from such a lot, so a shortage slip could not be fulfilled from the pages."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.lists import page_of
from core.views import SERVICE_ERRORS, service_failed
from inventory.models import InspectionStatus, Lot
from inventory.services import lot_set_inspection_status
from inventory.stock_forms import AWAITING, InspectionForm

CHANGE_LOT = "inventory.change_lot"


@permission_required(CHANGE_LOT, raise_exception=True)
def lot_inspection(request):
    if request.method == "POST":
        inspection_decide(request, InspectionForm(request.POST))
        return redirect("stock:lot_inspection")
    lots = (
        Lot.objects.filter(inspection_status__in=AWAITING)
        .select_related("material", "supplier")
        .order_by("created_at", "pk")
    )
    return render(request, "inventory/lot_inspection.html", {"lots": page_of(request, lots)})


def inspection_decide(request, form: InspectionForm) -> None:
    if not form.is_valid():
        messages.error(request, _("Choose a lot waiting for inspection, then pass or fail it."))
        return
    try:
        lot = lot_set_inspection_status(
            lot=form.cleaned_data["lot"],
            status=form.cleaned_data["status"],
            actor=request.user,
            device=request.device_id,
        )
    except SERVICE_ERRORS as error:
        service_failed(request, error)
        return
    messages.success(
        request,
        _("Lot %(lot)s of %(material)s: %(status)s.")
        % {
            "lot": lot.batch_no,
            "material": lot.material.code,
            "status": InspectionStatus(lot.inspection_status).label,
        },
    )
