"""Work-order pages: the list and the work-order page with its production steps and
close-out (R-W2, R-W4). Thin: forms parse, ``workorders.services`` write,
``workorders.selectors``/``closeout`` read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.confirm import NOT_CONFIRMED, is_confirmed
from core.errors import StateConflict
from core.fields import format_qty
from core.formatting import quantity as quantity_text
from core.lists import SearchFilter, choices_of, date_inputs, filtered_page, page_labels
from core.templatetags.numbers import qty
from org.access import is_plant_wide, scope_queryset, workshops_of
from workorders.api.filters import WorkOrderFilter
from workorders.closeout import CloseOutBlocked, closeout_summary
from workorders.forms import (
    CarryOverForm,
    DeclareLeftoverForm,
    ReceiveOutputForm,
    ReportOutputForm,
    SignOffForm,
)
from workorders.leftovers import carry_over_targets
from workorders.models import (
    ISSUABLE_STATUSES,
    WORK_ORDER_TRANSITIONS,
    SignOffRole,
    WorkOrder,
    WorkOrderStatus,
)
from workorders.registry import state_labels
from workorders.selectors import attach_progress
from workorders.services import closing, leftovers, lifecycle

CHANGE_WORK_ORDER = "workorders.change_workorder"
# Finished goods are received by the keeper, who posts stock and signs for the warehouse.
RECEIVE_OUTPUT = closing.RECEIVE_OUTPUT_PERMISSION


def visible_work_orders(user):
    queryset = WorkOrder.objects.select_related("product", "workshop", "line")
    return scope_queryset(queryset, user)


class WorkOrderListFilter(WorkOrderFilter):
    """The API's work-order filters (one place for each rule) as the list page's form."""

    q = SearchFilter("number")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("number", "updated_since"):  # the search box covers the exact number
            self.filters.pop(name, None)
        self.filters["status"].extra["empty_label"] = _("all")
        workshops = workshops_of(user).order_by("code")
        choices_of(self, "workshop", [(w.code, f"{w.code} {w.name}") for w in workshops])
        date_inputs(self, "completed_before")
        page_labels(self)


@login_required
def work_order_list(request):
    work_orders = visible_work_orders(request.user).order_by("-id")
    filterset = WorkOrderListFilter(request.GET, queryset=work_orders, user=request.user)
    return render(request, "workorders/list.html", filtered_page(request, filterset))


def requirement_rows(work_order, checklist):
    """Each requirement line with its counters and its consumption variance (R-W2, R-W4)."""
    variance_item = next(i for i in checklist if i["code"] == "consumption_variance")
    usage = {row["material"]: row for row in variance_item["detail"]["lines"]}
    return [
        {"line": line, "progress": line.progress, "usage": usage.get(line.material.code)}
        for line in work_order.lines.all()
    ]


def with_labels(items):
    """The checklist with translated role and state labels where it carries raw values."""
    roles = dict(SignOffRole.choices)
    states = state_labels()
    for item in items:
        detail = item["detail"]
        if item["code"] == "sign_offs":
            detail["missing"] = [roles[role] for role in detail["missing"]]
            for row in detail["signed"]:
                row["role"] = roles[row["role"]]
        elif item["code"] == "requests_finished":
            for name, labels in states.items():
                for row in detail[name]:
                    row["state"] = labels.get(row["state"], row["state"])
    return items


def receipt_form(work_order, outstanding):
    """The finished-goods receipt, proposing what the good output still lacks."""
    initial = {"quantity": format_qty(outstanding)} if outstanding > 0 else {}
    return ReceiveOutputForm(work_order=work_order, initial=initial)


def production_context(user, work_order, checklist):
    """Who may do which production step in the current state, and the steps' forms."""
    can_change = user.has_perm(CHANGE_WORK_ORDER)
    status = work_order.status
    received = checklist["finished_goods_received"]
    return {
        "can_change": can_change,
        "can_report_output": can_change and status in ISSUABLE_STATUSES,
        "can_issue": status in ISSUABLE_STATUSES,
        "can_complete": can_change and WorkOrderStatus.COMPLETED in WORK_ORDER_TRANSITIONS[status],
        "can_receive_output": user.has_perm(RECEIVE_OUTPUT)
        and status in closing.RECEIVABLE_STATUSES,
        "output": checklist["output_reported"],
        "received": received,
        "output_form": ReportOutputForm(),
        "receipt_form": receipt_form(work_order, received["outstanding"]),
    }


def leftover_rows(work_order, summary, bound=None):
    """R-W6: each line with a leftover and its three honest choices (return it, declare it
    consumed with a quantity, carry it over to a next order). ``bound``: a refused form,
    shown again on its material's row."""
    variance = next(i for i in summary["items"] if i["code"] == "consumption_variance")
    open_codes = {row["material"]: row["leftover"] for row in variance["detail"]["lines"]}
    rows = []
    for line in work_order.lines.all():
        leftover = open_codes.get(line.material.code)
        if not leftover or leftover <= 0:
            continue
        material, unit = line.material, line.material.uom.code
        targets = [
            {**row, "remaining_text": quantity_text(row["remaining"], unit)}
            for row in carry_over_targets(work_order, material.pk)
        ]
        initial = {"material": material.pk, "quantity": format_qty(leftover)}
        auto = f"id_%s_{material.pk}"
        forms = {
            "declare_form": DeclareLeftoverForm(
                work_order=work_order, initial=initial, auto_id=f"declare_{auto}"
            ),
            "carry_form": CarryOverForm(
                work_order=work_order, targets=targets, initial=initial, auto_id=f"carry_{auto}"
            ),
        }
        if bound is not None and str(bound.data.get("material")) == str(material.pk):
            name = "carry_form" if isinstance(bound, CarryOverForm) else "declare_form"
            bound.auto_id = forms[name].auto_id
            if name == "carry_form":
                bound.fields["to_work_order"].choices = forms[name].fields["to_work_order"].choices
            forms[name] = bound
        rows.append({"material": material, "leftover": leftover, "targets": targets, **forms})
    return rows


def detail_context(request, work_order, **extra):
    """The page's context; ``extra`` replaces defaults, e.g. a form with its errors."""
    attach_progress([work_order])
    summary = closeout_summary(work_order, timezone.now())
    checklist = {item["code"]: item["detail"] for item in summary["items"]}
    signed = {row["role"] for row in checklist["sign_offs"]["signed"]}
    with_labels(summary["items"])
    may_sign = closing.sign_off_roles_of(request.user)
    return {
        "work_order": work_order,
        "summary": summary,
        "rows": requirement_rows(work_order, summary["items"]),
        "sign_off_buttons": [
            {"role": role, "label": label, "allowed": role in may_sign}
            for role, label in SignOffRole.choices
            if role not in signed
        ],
        "can_export": is_plant_wide(request.user),
        "leftover_rows": leftover_rows(work_order, summary, extra.pop("leftover_form", None)),
        "return_requests": work_order.return_requests.order_by("id"),
        "replenish_requests": work_order.replenish_requests.order_by("id"),
        **production_context(request.user, work_order, checklist),
        **extra,
    }


def work_order_for(request, pk):
    return get_object_or_404(visible_work_orders(request.user).select_related("bom"), pk=pk)


@login_required
def work_order_detail(request, pk):
    work_order = work_order_for(request, pk)
    return render(request, "workorders/detail.html", detail_context(request, work_order))


def permitted_work_order(request, pk, permission):
    """403 without ``permission``, 404 for a work order outside the user's scope."""
    if not request.user.has_perm(permission):
        raise PermissionDenied
    return work_order_for(request, pk)


def refusal_show(request, error, form):
    """A service's field-keyed messages go next to the form's field, the rest on the page."""
    keyed = error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
    for field, texts in keyed:
        if form is not None and field in form.fields:
            form.add_error(field, texts)
        else:
            for text in texts:
                messages.error(request, text)


def act(request, work_order, action, form=None, **kwargs):
    """Run one service. Returns None when it succeeded, else the status to answer with: 400
    for bad input (shown on ``form`` or as page messages), 409 for a wrong state."""
    try:
        action(work_order=work_order, actor=request.user, device=request.device_id, **kwargs)
    except ValidationError as error:
        refusal_show(request, error, form)
        return 400
    except StateConflict as error:
        messages.error(request, str(error))
        return 409
    return None


def refused(request, work_order, status, **extra):
    """The work-order page again, with the refusal and the given HTTP status."""
    context = detail_context(request, work_order, **extra)
    return render(request, "workorders/detail.html", context, status=status)


def submit(request, work_order, action, success, form=None, form_name=None):
    """Run ``action`` with the valid ``form``'s data: 400/409 with the page (and the form
    under ``form_name``) again when either refuses, else ``success(data)`` as a message."""
    valid = form is None or form.is_valid()
    data = form.cleaned_data if valid and form is not None else {}
    status = act(request, work_order, action, form=form, **data) if valid else 400
    if status:
        return refused(request, work_order, status, **({form_name: form} if form_name else {}))
    messages.success(request, success(data))
    return redirect("workorders:detail", pk=work_order.pk)


@login_required
@require_POST
def work_order_report_output(request, pk):
    work_order = permitted_work_order(request, pk, CHANGE_WORK_ORDER)
    return submit(
        request,
        work_order,
        lifecycle.work_order_report_output,
        lambda data: (
            _("Output reported: %(good)s good, %(scrap)s scrap.")
            % {"good": qty(data["good_qty"]), "scrap": qty(data["scrap_qty"])}
        ),
        form=ReportOutputForm(request.POST),
        form_name="output_form",
    )


@login_required
@require_POST
def work_order_complete(request, pk):
    work_order = permitted_work_order(request, pk, CHANGE_WORK_ORDER)
    return submit(
        request,
        work_order,
        lifecycle.work_order_complete,
        lambda data: _("Work order %(number)s is completed.") % {"number": work_order.number},
    )


@login_required
@require_POST
def work_order_receive_output(request, pk):
    work_order = permitted_work_order(request, pk, RECEIVE_OUTPUT)
    return submit(
        request,
        work_order,
        closing.work_order_receive_output,
        lambda data: (
            _("%(quantity)s of %(product)s received into %(location)s.")
            % {
                "quantity": qty(data["quantity"]),
                "product": work_order.product.code,
                "location": data["location"].code,
            }
        ),
        form=ReceiveOutputForm(request.POST, work_order=work_order),
        form_name="receipt_form",
    )


@login_required
@require_POST
def work_order_sign_off(request, pk):
    work_order = work_order_for(request, pk)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a department to sign for."))
        return redirect("workorders:detail", pk=pk)
    return submit(
        request,
        work_order,
        closing.work_order_sign_off,
        lambda data: _("Signed off for %(role)s.") % {"role": SignOffRole(data["role"]).label},
        form=form,
    )


def confirmed_submit(request, work_order, action, success, form):
    """``submit`` once the "I confirm" box is ticked; else the page again (400)."""
    if form.is_valid() and not is_confirmed(request):
        messages.error(request, NOT_CONFIRMED)
        return refused(request, work_order, 400, leftover_form=form)
    return submit(request, work_order, action, success, form=form, form_name="leftover_form")


@login_required
@require_POST
def work_order_declare_leftover(request, pk):
    """R-W6: declared consumed with a quantity (over-quota consumption); asks first."""
    work_order = permitted_work_order(request, pk, CHANGE_WORK_ORDER)
    return confirmed_submit(
        request,
        work_order,
        closing.work_order_declare_leftover,
        lambda data: (
            _("Leftover of %(material)s declared consumed: %(quantity)s.")
            % {
                "material": data["material"].code,
                "quantity": quantity_text(data["quantity"], data["material"].uom.code),
            }
        ),
        DeclareLeftoverForm(request.POST, work_order=work_order),
    )


@login_required
@require_POST
def work_order_carry_over(request, pk):
    """R-W6: the leftover registered for next use on a later order; asks first."""
    work_order = permitted_work_order(request, pk, CHANGE_WORK_ORDER)
    return confirmed_submit(
        request,
        work_order,
        leftovers.work_order_carry_over,
        lambda data: (
            _("%(quantity)s of %(material)s carried over to %(number)s.")
            % {
                "quantity": quantity_text(data["quantity"], data["material"].uom.code),
                "material": data["material"].code,
                "number": data["to_work_order"].number,
            }
        ),
        CarryOverForm(request.POST, work_order=work_order),
    )


@login_required
@require_POST
def work_order_close(request, pk):
    """Close, or show the open close-out items with HTTP 409 (R-W4); asks first."""
    work_order = permitted_work_order(request, pk, CHANGE_WORK_ORDER)
    if not is_confirmed(request):
        messages.error(request, NOT_CONFIRMED)
        return redirect("workorders:detail", pk=pk)
    try:
        closing.work_order_close(
            work_order=work_order, actor=request.user, device=request.device_id
        )
    except CloseOutBlocked as blocked:
        return refused(request, work_order, 409, blocked_items=blocked.open_items)
    except StateConflict as error:
        messages.error(request, str(error))
        return refused(request, work_order, 409)
    messages.success(request, _("Work order %(number)s is closed.") % {"number": work_order.number})
    return redirect("workorders:detail", pk=pk)
