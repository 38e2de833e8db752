"""Supplier-return pages (R-S2): the list, a new return picked from one supplier's stock in
the supplier-return areas, the detail with its actions, and the printable slip (R-U2)."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from approvals.services import steps_of
from audit.models import AuditEvent
from core.barcodes import code128_inline_svg
from core.confirm import NOT_CONFIRMED, is_confirmed
from core.errors import StateConflict
from core.lists import SearchFilter, choices_of, date_inputs, filtered_page, page_labels
from core.views import SERVICE_ERRORS, service_failed
from materials.models import Supplier
from org.access import can_see_costs
from returns import supplier_forms
from returns.api.supplier_filters import SupplierReturnFilter
from returns.models import SUPPLIER_RETURN_TRANSITIONS, SupplierReturn, SupplierReturnState
from returns.services import supplier_claims
from returns.services import supplier_returns as services
from returns.supplier_selectors import (
    area_stock,
    may_handle_supplier_returns,
    may_see_supplier_returns,
    supplier_return_of,
    supplier_returns,
    suppliers_with_area_stock,
)
from returns.views.kinds import actor

SUPPLIER_LABEL = gettext_lazy("Supplier")
NO_LINES_PICKED = gettext_lazy("Give a quantity on at least one line.")
BAD_QUANTITY = gettext_lazy("“%(value)s” is not a quantity.")
# The audit actions of supplier-return services, as people read them.
ACTIONS = {
    "create": gettext_lazy("created"),
    "submit": gettext_lazy("submitted"),
    "sign": gettext_lazy("signed"),
    "reject": gettext_lazy("rejected"),
    "acknowledge": gettext_lazy("acknowledged by the supplier"),
    "claim_amount": gettext_lazy("claim amount changed"),
    "post": gettext_lazy("posted"),
    "replacement": gettext_lazy("replacement received"),
    "close": gettext_lazy("claim closed"),
    "cancel": gettext_lazy("cancelled"),
}


def require_seeing(request):
    """Roles that neither handle nor read supplier returns are refused (403), as a
    permission refuses a page; an unknown id is a 404."""
    if not may_see_supplier_returns(request.user):
        raise PermissionDenied


def require_handling(request):
    if not may_handle_supplier_returns(request.user):
        raise PermissionDenied


class SupplierReturnListFilter(SupplierReturnFilter):
    q = SearchFilter("number")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("number", None)
        self.filters["state"].extra["empty_label"] = _("all")
        suppliers = Supplier.objects.order_by("code")
        choices_of(self, "supplier", [(s.code, f"{s.code} {s.name}") for s in suppliers])
        date_inputs(self, "posted_after", "posted_before")
        page_labels(self)
        self.form.fields["supplier"].label = SUPPLIER_LABEL


@login_required
def supplier_return_list(request):
    require_seeing(request)
    filterset = SupplierReturnListFilter(request.GET, queryset=supplier_returns())
    context = filtered_page(request, filterset)
    context["can_create"] = may_handle_supplier_returns(request.user)
    context["costs"] = can_see_costs(request.user)
    return render(request, "returns/supplier/list.html", context)


def picked_lines(request, balances):
    """The lines the clerk filled in: ``qty_<balance>`` (and ``serials_<balance>``)."""
    lines = []
    for balance in balances:
        raw = request.POST.get(f"qty_{balance.pk}", "").strip()
        if not raw:
            continue
        try:
            quantity = Decimal(raw)
        except InvalidOperation:
            raise ValidationError({"quantity": BAD_QUANTITY % {"value": raw}}) from None
        lines.append(
            {
                "material": balance.material,
                "lot": balance.lot,
                "location": balance.location,
                "quantity": quantity,
                "serials": supplier_forms.split_serials(
                    request.POST.get(f"serials_{balance.pk}", "")
                ),
            }
        )
    if not lines:
        raise ValidationError({"lines": NO_LINES_PICKED})
    return lines


@login_required
def supplier_return_new(request):
    """Pick one supplier, then quantities from its lots in the supplier-return areas."""
    require_handling(request)
    code = request.GET.get("supplier") or request.POST.get("supplier") or ""
    supplier = Supplier.objects.filter(code=code).first() if code else None
    balances = list(area_stock(supplier)) if supplier else []
    form = supplier_forms.SupplierReturnHeadForm(request.POST or None)
    status = 200
    if request.method == "POST" and supplier is not None:
        if form.is_valid():
            try:
                supplier_return = services.supplier_return_create(
                    supplier=supplier,
                    reason=form.cleaned_data["reason"],
                    lines=picked_lines(request, balances),
                    **actor(request),
                )
            except SERVICE_ERRORS as error:
                service_failed(request, error, form)
                status = 409 if isinstance(error, StateConflict) else 400
            else:
                messages.success(request, _("%(number)s created.") % {"number": supplier_return})
                return redirect(supplier_return)
        else:
            status = 400
    context = {
        "supplier": supplier,
        "suppliers": suppliers_with_area_stock(),
        "balances": balances,
        "form": form,
        "posted": request.POST,
    }
    return render(request, "returns/supplier/new.html", context, status=status)


def history_of(supplier_return):
    states = dict(SupplierReturnState.choices)
    events = AuditEvent.objects.filter(
        object_type=supplier_return._meta.label_lower, object_id=str(supplier_return.pk)
    ).order_by("id")
    for event in events:
        verb = event.action.rpartition(".")[2]
        event.label = ACTIONS.get(verb, verb)
        event.state_label = states.get((event.after or {}).get("state"), "")
        yield event


def detail_page(request, supplier_return, status=200, **forms):
    state = supplier_return.state
    handling = may_handle_supplier_returns(request.user)
    allowed = SUPPLIER_RETURN_TRANSITIONS[state] if handling else set()
    lines = list(supplier_return.lines.all())
    before_posting = state in (
        SupplierReturnState.DRAFT,
        SupplierReturnState.SUBMITTED,
        SupplierReturnState.SIGNED,
        SupplierReturnState.REJECTED,
    )
    costs = can_see_costs(request.user)
    context = {
        "obj": supplier_return,
        "costs": costs,
        "lines": lines,
        "steps": steps_of(supplier_return)
        .select_related("decided_by", "on_behalf_of")
        .order_by("round", "sequence"),
        "history": history_of(supplier_return),
        "due_at": services.claim_due(supplier_return),
        "can_submit": SupplierReturnState.SUBMITTED in allowed,
        "can_cancel": SupplierReturnState.CANCELLED in allowed,
        "can_post": state == SupplierReturnState.SIGNED and handling,
        "can_acknowledge": handling
        and state in (SupplierReturnState.SUBMITTED, SupplierReturnState.SIGNED),
        "can_amend": handling and before_posting and costs,
        "can_close": SupplierReturnState.CLOSED in allowed,
        "acknowledge_form": forms.get("acknowledge")
        or supplier_forms.AcknowledgeForm(initial={"name": supplier_return.acknowledged_by}),
        "amount_form": forms.get("amount")
        or supplier_forms.ClaimAmountForm(initial={"amount": supplier_return.claim_amount}),
        "replacement_form": forms.get("replacement")
        or supplier_forms.ReplacementForm(lines=[ln for ln in lines if ln.open_qty > 0]),
        "credit_form": forms.get("credit")
        or supplier_forms.CreditForm(
            initial={"amount": supplier_return.claim_amount} if costs else {}
        ),
    }
    return render(request, "returns/supplier/detail.html", context, status=status)


def supplier_return_get(request, pk):
    require_seeing(request)
    try:
        return supplier_return_of(pk)
    except SupplierReturn.DoesNotExist:
        raise Http404 from None


@login_required
def supplier_return_detail(request, pk):
    return detail_page(request, supplier_return_get(request, pk))


# action → (form key or None, needs "I confirm", the call)
def call_submit(obj, data, acting):
    return services.supplier_return_submit(supplier_return=obj, **acting)


def call_cancel(obj, data, acting):
    return services.supplier_return_cancel(supplier_return=obj, **acting)


def call_post(obj, data, acting):
    return services.supplier_return_post(supplier_return=obj, **acting)


def call_acknowledge(obj, data, acting):
    return services.supplier_return_acknowledge(supplier_return=obj, **data, **acting)


def call_amount(obj, data, acting):
    return services.supplier_return_claim_amount_set(supplier_return=obj, **data, **acting)


def call_credit(obj, data, acting):
    return supplier_claims.supplier_claim_credit(supplier_return=obj, **data, **acting)


def call_replacement(obj, data, acting):
    line = get_object_or_404(obj.lines.all(), pk=data.pop("line"))
    return supplier_claims.supplier_return_replacement_receive(
        supplier_return=obj, line=line, **data, **acting
    )


ACTION_CALLS = {
    "submit": (None, False, call_submit),
    "cancel": (None, True, call_cancel),
    "post": (None, True, call_post),
    "acknowledge": ("acknowledge", False, call_acknowledge),
    "amount": ("amount", False, call_amount),
    "credit": ("credit", True, call_credit),
    "replacement": ("replacement", True, call_replacement),
}
FORMS = {
    "acknowledge": supplier_forms.AcknowledgeForm,
    "amount": supplier_forms.ClaimAmountForm,
    "credit": supplier_forms.CreditForm,
    "replacement": supplier_forms.ReplacementForm,
}


def bound_form(key, request, supplier_return):
    if key == "replacement":
        open_lines = [ln for ln in supplier_return.lines.all() if ln.open_qty > 0]
        return FORMS[key](request.POST, lines=open_lines)
    return FORMS[key](request.POST, request.FILES)


@require_POST
@login_required
def supplier_return_action(request, pk, action):
    """One action of the detail page; what cannot be undone asks "I confirm" first."""
    require_handling(request)
    supplier_return = supplier_return_get(request, pk)
    if action not in ACTION_CALLS:
        raise Http404
    key, confirm, call = ACTION_CALLS[action]
    if confirm and not is_confirmed(request):
        messages.error(request, NOT_CONFIRMED)
        return redirect(supplier_return)
    data, form = {}, None
    if key is not None:
        form = bound_form(key, request, supplier_return)
        if not form.is_valid():
            return detail_page(request, supplier_return, status=400, **{key: form})
        data = dict(form.cleaned_data)
    try:
        call(supplier_return, data, actor(request))
    except SERVICE_ERRORS as error:
        service_failed(request, error, *([form] if form else []))
        status = 409 if isinstance(error, StateConflict) else 400
        if form is not None:
            return detail_page(request, supplier_return, status=status, **{key: form})
        return detail_page(request, supplier_return, status=status)
    messages.success(request, _("%(number)s updated.") % {"number": supplier_return})
    return redirect(supplier_return)


@login_required
def supplier_return_print(request, pk):
    """The slip the supplier signs for the goods (seed 002 §4.1.3), with its barcode."""
    supplier_return = supplier_return_get(request, pk)
    return render(
        request,
        "returns/supplier/print.html",
        {
            "obj": supplier_return,
            "lines": supplier_return.lines.all(),
            "barcode": code128_inline_svg(supplier_return.number),
            "costs": can_see_costs(request.user),
        },
    )
