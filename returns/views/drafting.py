"""The new-request page (退料 / 补料): filled by scanning, with the live approval-chain
preview of a replenishment; saving (and submitting) is one service call."""

from itertools import zip_longest

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from approvals.routing import route_display
from core.idempotency import idempotent_page
from core.templatetags.numbers import qty
from core.views import SERVICE_ERRORS, service_failed
from returns import forms
from returns.selectors import replenish_routing_preview
from returns.views.kinds import (
    kind_of,
    work_orders_for,
)


def typed_work_order(request, work_orders):
    number = forms.typed(request.POST.get("work_order") or request.GET.get("work_order") or "")
    number = number.strip()
    return work_orders.filter(number=number).first() if number else None


def formset_kwargs(kind, work_order):
    if kind.name == "replenish":
        return {"form_kwargs": {"citable": forms.citable_lines(work_order)}}
    return {}


def request_page(request, kind, header, formset, work_order, scan_error=""):
    rows = forms.rows_of(formset)
    context = {
        "kind": kind.name,
        "form": header,
        "formset": formset,
        "materials": forms.material_names(rows),
        "scan_error": scan_error,
        "work_order": work_order,
    }
    return render(request, "returns/request_form.html", context)


def scan_outcome(before, after, code, error):
    """(outcome, message) of one scan for the page's feedback: refused with the reason, or
    the line the label added or counted up."""
    if error:
        return "refused", error
    changed = next((row for row, old in zip_longest(after, before) if row != old), None)
    if changed is None:
        return "ok", _("%(code)s is already on the list.") % {"code": code}
    lot = f" / {changed['lot']}" if changed.get("lot") else ""
    return "ok", _("%(material)s%(lot)s: %(quantity)s") % {
        "material": changed["material"],
        "lot": lot,
        "quantity": qty(changed.get("quantity")),
    }


def scanned(request, kind, work_orders):
    """The scan field's Enter: resolve the code and add or fill a line (htmx swaps the
    lines area, which holds no scan field, so what a scanner types meanwhile is kept; the
    page without JavaScript re-renders whole)."""
    work_order = typed_work_order(request, work_orders)
    posted = kind.formset(request.POST, **formset_kwargs(kind, work_order))
    rows, scan_error = forms.rows_of(posted), ""
    before = [dict(row) for row in rows]  # kind.scan counts up rows in place
    code = forms.typed(request.POST.get("code", ""))
    try:
        rows = kind.scan(rows, code, work_order)
    except ValidationError as error:
        scan_error = " ".join(error.messages)
    formset = kind.formset(initial=rows, **formset_kwargs(kind, work_order))
    header = kind.form(initial=request.POST.dict(), work_orders=work_orders)
    if request.headers.get("HX-Request"):
        outcome, message = scan_outcome(before, rows, code, scan_error)
        response = render(
            request,
            "returns/_lines.html",
            {
                "kind": kind.name,
                "formset": formset,
                "materials": forms.material_names(rows),
                "scan_error": scan_error,
                "scan_outcome": outcome,
                "scan_message": message,
            },
        )
        # After the settle, not on receipt: the preview must post the form with the new line
        # in it (fired on receipt, it raced the swap and previewed the lines before the scan).
        response["HX-Trigger-After-Settle"] = "lines-changed"
        return response
    return request_page(request, kind, header, formset, work_order, scan_error)


def chain_preview(request, kind, work_orders):
    """The live approval-chain preview of a replenishment being typed: the routing that
    submitting it uses (``returns.selectors.replenish_routing``, R-A2…R-A4)."""
    header = kind.form(request.POST, work_orders=work_orders)
    work_order = typed_work_order(request, work_orders)
    formset = kind.formset(request.POST, **formset_kwargs(kind, work_order))
    preview, problem = None, ""
    if header.is_valid() and formset.is_valid() and formset.forms:
        try:
            routing = replenish_routing_preview(
                work_order=header.cleaned_data["work_order"],
                reason=header.cleaned_data["reason"],
                lines=kind.service_lines(formset),
            )
            for _material, route in routing.routes:
                route.display = route_display(route.as_dict())
            preview = {"routes": routing.routes, "chain": routing.chain}
        except ValidationError as error:
            problem = " ".join(error.messages)
    return render(request, "returns/_preview.html", {"preview": preview, "problem": problem})


@login_required
@idempotent_page
def request_new(request, kind):
    """A new return (退料) or replenishment (补料) for a work order, filled by scanning."""
    kind = kind_of(kind)
    if not request.user.has_perm(kind.perm):
        raise PermissionDenied
    work_orders = work_orders_for(request.user)
    action = request.POST.get("action")
    if action == "scan":
        return scanned(request, kind, work_orders)
    if action == "preview":
        return chain_preview(request, kind, work_orders)
    work_order = typed_work_order(request, work_orders)
    if request.method != "POST":
        header = kind.form(initial=request.GET.dict(), work_orders=work_orders)
        formset = kind.formset(**formset_kwargs(kind, work_order))
        return request_page(request, kind, header, formset, work_order)
    header = kind.form(request.POST, work_orders=work_orders)
    formset = kind.formset(request.POST, **formset_kwargs(kind, work_order))
    if header.is_valid() and formset.is_valid():
        try:
            created = kind.create(
                work_order=header.cleaned_data["work_order"],
                reason=header.cleaned_data["reason"],
                explanation=header.cleaned_data["explanation"],
                lines=kind.service_lines(formset),
                applicant=request.user,
                device=getattr(request, "device_id", ""),
                submit=action == "submit",
            )
        except SERVICE_ERRORS as error:
            service_failed(request, error, header, formset)
        else:
            messages.success(request, _("%(request)s saved.") % {"request": created})
            return redirect("returns:request_detail", kind=kind.name, pk=created.pk)
    return request_page(request, kind, header, formset, work_order)
