"""What the request pages share: the two kinds (return, replenishment) and what differs
between them, the user's scope, and the actor of a page's service call."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404

from org.access import scoped
from returns import forms, selectors
from returns.services import line_edits, replenish
from returns.services.return_drafting import (
    return_cancel,
    return_create,
    return_line_add,
    return_submit,
)
from workorders.models import WorkOrder


def scan_return(rows, code, work_order):
    return forms.return_rows_scan(rows, code)


def add_return_line(slip, item, quantity, **acting):
    """A scanned label added to a draft or rejected return (its lot and serials too)."""
    return return_line_add(
        return_request=slip,
        material=item.material,
        lot=item.lot,
        serials=list(item.serials),
        quantity=item.quantity_or(quantity),
        **acting,
    )


def add_replenish_line(slip, item, quantity, **acting):
    return line_edits.replenish_line_add(
        replenish_request=slip,
        material=item.material,
        quantity=item.quantity_or(quantity),
        **acting,
    )


@dataclass(frozen=True)
class Kind:
    """What differs between the return and the replenishment pages."""

    name: str
    domain_arg: str  # the keyword the services take the request as
    perm: str
    form: type
    formset: type
    scan: Callable  # (rows, code, work_order) -> rows
    service_lines: Callable  # valid formset -> the service's ``lines``
    create: Callable
    submit: Callable
    cancel: Callable
    queryset: Callable
    line_arg: str  # the keyword the line services take a line as
    line_add: Callable  # (request, scanned item, quantity, actor=, device=) -> line
    line_remove: Callable
    line_change: Callable


KINDS = {
    "return": Kind(
        name="return",
        domain_arg="return_request",
        perm="returns.add_returnrequest",
        form=forms.ReturnForm,
        formset=forms.ReturnLineFormSet,
        scan=scan_return,
        service_lines=forms.return_service_lines,
        create=return_create,
        submit=return_submit,
        cancel=return_cancel,
        queryset=selectors.return_requests,
        line_arg="return_line",
        line_add=add_return_line,
        line_remove=line_edits.return_line_remove,
        line_change=line_edits.return_line_change,
    ),
    "replenish": Kind(
        name="replenish",
        domain_arg="replenish_request",
        perm="returns.add_replenishrequest",
        form=forms.ReplenishForm,
        formset=forms.ReplenishLineFormSet,
        scan=forms.replenish_rows_scan,
        service_lines=forms.replenish_service_lines,
        create=replenish.replenish_create,
        submit=replenish.replenish_submit,
        cancel=replenish.replenish_cancel,
        queryset=selectors.replenish_requests,
        line_arg="replenish_line",
        line_add=add_replenish_line,
        line_remove=line_edits.replenish_line_remove,
        line_change=line_edits.replenish_line_change,
    ),
}


def kind_of(name):
    if name not in KINDS:
        raise Http404
    return KINDS[name]


REQUEST_SCOPE = "work_order__workshop"
SHORTAGE_SCOPE = "replenish_line__request__work_order__workshop"


def returns_in_scope(user):
    return scoped(selectors.return_requests(), user, REQUEST_SCOPE)


def replenishments_in_scope(user):
    return scoped(selectors.replenish_requests(), user, REQUEST_SCOPE)


def shortages_in_scope(user):
    return scoped(selectors.shortage_slips(), user, SHORTAGE_SCOPE)


def work_orders_for(user):
    return scoped(WorkOrder.objects.all(), user)


def actor(request):
    return {"actor": request.user, "device": getattr(request, "device_id", "")}
