"""Work-order pages: the list and the close-out page (R-W2, R-W4). Thin: forms parse,
``workorders.services`` write, ``workorders.selectors``/``closeout`` read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import is_plant_wide, workshops_of
from core.errors import StateConflict
from returns.models import ReplenishState, ReturnState
from workorders import services
from workorders.closeout import CloseOutBlocked, closeout_summary
from workorders.forms import DeclareLeftoverForm, SignOffForm, WorkOrderFilterForm
from workorders.models import SignOffRole, WorkOrder
from workorders.page_access import scoped, sign_off_roles_of
from workorders.selectors import attach_progress

PAGE_SIZE = 25
CHANGE_WORK_ORDER = "workorders.change_workorder"


def visible_work_orders(user):
    queryset = WorkOrder.objects.select_related("product", "workshop", "line")
    return scoped(queryset, user)


@login_required
def work_order_list(request):
    form = WorkOrderFilterForm(request.GET or None, workshops=workshops_of(request.user))
    work_orders = form.apply(visible_work_orders(request.user)).order_by("-id")
    page = Paginator(work_orders, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workorders/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


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
    states = {"returns": dict(ReturnState.choices), "replenishments": dict(ReplenishState.choices)}
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


def detail_context(request, work_order, **extra):
    attach_progress([work_order])
    summary = closeout_summary(work_order, timezone.now())
    sign_offs = next(i for i in summary["items"] if i["code"] == "sign_offs")
    signed = {row["role"] for row in sign_offs["detail"]["signed"]}
    with_labels(summary["items"])
    may_sign = sign_off_roles_of(request.user)
    return {
        "work_order": work_order,
        "summary": summary,
        "rows": requirement_rows(work_order, summary["items"]),
        "sign_off_buttons": [
            {"role": role, "label": label, "allowed": role in may_sign}
            for role, label in SignOffRole.choices
            if role not in signed
        ],
        "can_change": request.user.has_perm(CHANGE_WORK_ORDER),
        "can_export": is_plant_wide(request.user),
        "leftover_form": extra.pop("leftover_form", None)
        or DeclareLeftoverForm(work_order=work_order),
        "return_requests": work_order.return_requests.order_by("id"),
        "replenish_requests": work_order.replenish_requests.order_by("id"),
        **extra,
    }


def work_order_for(request, pk):
    return get_object_or_404(visible_work_orders(request.user).select_related("bom"), pk=pk)


@login_required
def work_order_detail(request, pk):
    work_order = work_order_for(request, pk)
    return render(request, "workorders/detail.html", detail_context(request, work_order))


def act(request, work_order, action, **kwargs):
    """Run one service; its refusal becomes a message on the page. True when it succeeded."""
    try:
        action(work_order=work_order, actor=request.user, device=request.device_id, **kwargs)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    except StateConflict as error:
        messages.error(request, str(error))
        return False
    return True


@login_required
@require_POST
def work_order_sign_off(request, pk):
    work_order = work_order_for(request, pk)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a department to sign for."))
        return redirect("workorders:detail", pk=pk)
    role = form.cleaned_data["role"]
    if role not in sign_off_roles_of(request.user):
        raise PermissionDenied
    if act(
        request, work_order, services.work_order_sign_off, role=role, note=form.cleaned_data["note"]
    ):
        messages.success(request, _("Signed off for %(role)s.") % {"role": SignOffRole(role).label})
    return redirect("workorders:detail", pk=pk)


@login_required
@require_POST
def work_order_declare_leftover(request, pk):
    if not request.user.has_perm(CHANGE_WORK_ORDER):
        raise PermissionDenied
    work_order = work_order_for(request, pk)
    form = DeclareLeftoverForm(request.POST, work_order=work_order)
    if not form.is_valid():
        context = detail_context(request, work_order, leftover_form=form)
        return render(request, "workorders/detail.html", context, status=400)
    if act(request, work_order, services.work_order_declare_leftover, **form.cleaned_data):
        messages.success(
            request,
            _("Leftover of %(material)s declared consumed.")
            % {"material": form.cleaned_data["material"].code},
        )
    return redirect("workorders:detail", pk=pk)


@login_required
@require_POST
def work_order_close(request, pk):
    """Close, or show the open close-out items with HTTP 409 (R-W4)."""
    if not request.user.has_perm(CHANGE_WORK_ORDER):
        raise PermissionDenied
    work_order = work_order_for(request, pk)
    try:
        services.work_order_close(
            work_order=work_order, actor=request.user, device=request.device_id
        )
    except CloseOutBlocked as blocked:
        context = detail_context(request, work_order, blocked_items=blocked.open_items)
        return render(request, "workorders/detail.html", context, status=409)
    except StateConflict as error:
        messages.error(request, str(error))
        return redirect("workorders:detail", pk=pk)
    messages.success(request, _("Work order %(number)s is closed.") % {"number": work_order.number})
    return redirect("workorders:detail", pk=pk)
