"""Planning pages for plants without an ERP (R-W1): create a work order and release it,
each confirmed first, through ``work_order_create`` / ``work_order_release`` as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.fields import QTY
from core.idempotency import idempotent_page
from core.views import SERVICE_ERRORS, service_refused
from inventory.forms import confirm_fields, confirm_stage
from org.access import workshops_of
from workorders.forms import WorkOrderCreateForm
from workorders.models import WORK_ORDER_TRANSITIONS, WorkOrderStatus
from workorders.services.lifecycle import work_order_create, work_order_release
from workorders.views import CHANGE_WORK_ORDER, permitted_work_order

ADD_WORK_ORDER = "workorders.add_workorder"


def bom_requirements(bom, planned_qty):
    """What releasing would freeze: each BOM line × the planned quantity (R-M3, R-W2)."""
    return [
        {
            "material": line.material,
            "required": (planned_qty * line.qty_per_unit).quantize(QTY),
            "loss": (planned_qty * line.qty_per_unit * line.loss_pct / 100).quantize(QTY),
        }
        for line in bom.lines.select_related("material__uom").order_by("material__code")
    ]


@login_required
@idempotent_page
def work_order_new(request):
    if not request.user.has_perm(ADD_WORK_ORDER):
        raise PermissionDenied
    form = WorkOrderCreateForm(request.POST or None, workshops=workshops_of(request.user))
    stage, status = confirm_stage(request, form), 400 if form.errors else 200
    if stage == "book":
        try:
            work_order = work_order_create(
                **form.plan(), actor=request.user, device=request.device_id
            )
        except SERVICE_ERRORS as error:
            stage, status = "edit", service_refused(request, error, form)
        else:
            messages.success(
                request,
                _("Work order %(number)s is created; release it to issue material.")
                % {"number": work_order.number},
            )
            return redirect("workorders:detail", pk=work_order.pk)
    context = {"form": form}
    if stage == "confirm":
        data = form.cleaned_data
        context.update(
            plan=data,
            requirements=bom_requirements(data["bom"], data["planned_qty"]),
            hidden=confirm_fields(form),
        )
    return render(request, "workorders/new.html", context, status=status)


@login_required
def work_order_release_page(request, pk):
    """The requirements the release will freeze, then the release itself on POST."""
    work_order = permitted_work_order(request, pk, CHANGE_WORK_ORDER)
    releasable = WorkOrderStatus.RELEASED in WORK_ORDER_TRANSITIONS[work_order.status]
    status = 200
    if request.method == "POST":
        try:
            work_order_release(work_order=work_order, actor=request.user, device=request.device_id)
        except SERVICE_ERRORS as error:
            status = service_refused(request, error)
        else:
            messages.success(
                request, _("Work order %(number)s is released.") % {"number": work_order.number}
            )
            return redirect("workorders:detail", pk=work_order.pk)
    context = {
        "work_order": work_order,
        "releasable": releasable,
        "requirements": bom_requirements(work_order.bom, work_order.planned_qty),
    }
    return render(request, "workorders/release.html", context, status=status)
