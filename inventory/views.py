"""Printable labels (R-U2): barcodes that the scan endpoint resolves."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.barcodes import CONTENT_TYPES, code128, code128_inline_svg
from inventory.models import Lot
from inventory.scanning import location_label, lot_label, material_label
from materials.models import Location, Material

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


@permission_required("inventory.add_ledgerentry", raise_exception=True)
def label_form(request):
    """Choose what to print (material, lot, location); the sheet is ``label_sheet``."""
    lots = Lot.objects.select_related("material").order_by("-id")[:20]
    return render(request, "inventory/label_form.html", {"lots": lots})
