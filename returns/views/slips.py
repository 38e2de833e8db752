"""Printable return, replenish and shortage slips (R-U2): the number as a barcode that the
scan endpoint resolves."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from approvals.services import request_scope_require
from core.barcodes import code128_inline_svg
from returns.models import ReplenishRequest, ReturnRequest, ShortageSlip
from returns.views.disposals import disposal_print


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
    if number.startswith("SD-"):  # a scrap disposal prints its own slip (R-D1)
        return disposal_print(request, number)
    slip, lines = slip_for(number, request.user)
    return render(
        request,
        "returns/slip_print.html",
        {
            "slip": slip,
            "lines": lines,
            "barcode": code128_inline_svg(number),
            "kind": slip._meta.verbose_name,
        },
    )
