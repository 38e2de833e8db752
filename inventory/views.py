"""Printable labels and slips (R-U2): barcodes that the scan endpoint resolves."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from approvals.services import request_scope_require
from core.barcodes import CONTENT_TYPES, code128, code128_inline_svg
from inventory.models import Location, Lot
from inventory.scanning import location_label, lot_label, material_label
from materials.models import Material
from returns.models import ReplenishRequest, ReturnRequest, ShortageSlip

MAX_COPIES = 100


@login_required
def barcode_image(request, fmt):
    payload = request.GET.get("code", "")
    if not payload or len(payload) > 200:
        raise Http404
    return HttpResponse(code128(payload, fmt), content_type=CONTENT_TYPES[fmt])


def asked(params, name):
    """The values asked for under ``name``; one with a NUL character names nothing
    (PostgreSQL refuses it in a query)."""
    return [value for value in params.getlist(name) if "\x00" not in value]


def labels_for(params):
    """(title, subtitle, payload) for each material, lot and location asked for."""
    labels = []
    for code in asked(params, "material"):
        for material in Material.objects.filter(code=code):
            labels.append((material.code, material.name, material_label(material)))
    for value in asked(params, "lot"):
        material_code, _sep, batch_no = value.partition("|")
        for lot in Lot.objects.select_related("material").filter(
            material__code=material_code, batch_no=batch_no
        ):
            expires = _("expires")
            subtitle = f"{lot.material.code} · {expires} {lot.expiry_date or '—'}"
            labels.append((lot.batch_no, subtitle, lot_label(lot)))
    for code in asked(params, "location"):
        for location in Location.objects.select_related("warehouse").filter(code=code):
            labels.append((location.code, location.warehouse.name, location_label(location)))
    return labels


@login_required
def label_sheet(request):
    """A printable sheet: ``?material=CODE&lot=MATERIAL|BATCH&location=CODE&copies=N``."""
    try:
        copies = max(1, min(int(request.GET.get("copies", "1")), MAX_COPIES))
    except ValueError:
        copies = 1
    labels = [
        {
            "title": title,
            "subtitle": subtitle,
            "payload": payload,
            "barcode": code128_inline_svg(payload),
        }
        for title, subtitle, payload in labels_for(request.GET)
    ] * copies
    return render(request, "print/labels.html", {"labels": labels})


def slip_for(number, user):
    """The slip called ``number`` if ``user`` reaches its request (404 otherwise, as for an
    unknown number: sequential numbers must reveal nothing)."""
    if "\x00" in number:  # names no slip; PostgreSQL refuses it in a query
        raise Http404
    for model in (ReturnRequest, ReplenishRequest):
        slip = (
            model.objects.filter(number=number)
            .select_related("work_order", "reason", "applicant")
            .prefetch_related("lines__material")
            .first()
        )
        if slip:
            request_scope_require(request=slip, actor=user)
            return slip, slip.lines.all()
    shortage = (
        ShortageSlip.objects.filter(number=number)
        .select_related("material", "replenish_line__request__work_order")
        .first()
    )
    if shortage:
        request_scope_require(request=shortage.replenish_line.request, actor=user)
        return shortage, []
    raise Http404


@login_required
def slip_print(request, number):
    slip, lines = slip_for(number, request.user)
    return render(
        request,
        "print/slip.html",
        {
            "slip": slip,
            "lines": lines,
            "barcode": code128_inline_svg(number),
            "kind": slip._meta.verbose_name,
        },
    )


@permission_required("inventory.add_ledgerentry", raise_exception=True)
def label_form(request):
    """Choose what to print (material, lot, location); the sheet is ``label_sheet``."""
    lots = Lot.objects.select_related("material").order_by("-id")[:20]
    return render(request, "inventory/label_form.html", {"lots": lots})
