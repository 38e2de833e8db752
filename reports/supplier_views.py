"""Supplier quality scorecard pages (#18 item 6): the month's suppliers with their defect
returns, and one supplier's month by material and by lot, with the export beside them.
Reads only, for plant-wide roles (as every export); amounts only for those who see costs."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from core.lists import page_of
from materials.models import Supplier
from org.access import can_see_costs, is_plant_wide
from reports.supplier_claims import claims_of
from reports.supplier_quality import lot_rows, material_rows, supplier_totals
from reports.supplier_quality_export import SupplierQualityForm

PER_PAGE = 25


def require_scorecard_access(user):
    """Suppliers deliver to every workshop: the scorecard is for plant-wide roles."""
    if not is_plant_wide(user):
        raise PermissionDenied


def scorecard_filter(request, supplier=None):
    """The month (this month when none is given) and supplier of the query string."""
    data = {"month": f"{timezone.localdate():%Y-%m}", **request.GET.dict()}
    form = SupplierQualityForm(data=data)
    form.fields["month"].widget.attrs["max"] = f"{timezone.localdate():%Y-%m}"
    if supplier is not None:  # the page's own supplier, not a filter
        del form.fields["supplier"]
    if not form.is_valid():
        return form, None
    return form, {"supplier": supplier, **form.cleaned_data}


@login_required
def supplier_quality(request):
    """Every supplier with a defect return or a receipt in the month."""
    require_scorecard_access(request.user)
    form, cleaned = scorecard_filter(request)
    totals = supplier_totals(cleaned["month"], cleaned["supplier"]) if cleaned else []
    context = {
        "form": form,
        "month": cleaned["month"] if cleaned else None,
        "page": page_of(request, totals, PER_PAGE),
        "costs": can_see_costs(request.user),
    }
    return render(request, "reports/supplier_quality.html", context)


@login_required
def supplier_quality_detail(request, code):
    """One supplier's month: totals, by material, by lot, and its claims."""
    require_scorecard_access(request.user)
    supplier = get_object_or_404(Supplier, code=code)
    form, cleaned = scorecard_filter(request, supplier)
    month = cleaned["month"] if cleaned else None
    totals = supplier_totals(month, supplier) if month else []
    materials = material_rows(month, supplier) if month else []
    lots = lot_rows(month, supplier) if month else []
    context = {
        "form": form,
        "supplier": supplier,
        "month": month,
        "total": totals[0] if totals else None,
        "materials": page_of(request, materials, PER_PAGE, param="materials"),
        "lots": page_of(request, lots, PER_PAGE, param="lots"),
        "claims": claims_of(month, supplier.code) if month else [],
        "costs": can_see_costs(request.user),
    }
    return render(request, "reports/supplier_quality_detail.html", context)
