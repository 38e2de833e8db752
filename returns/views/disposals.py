"""Scrap disposal pages (报废单, R-D1): the list, a new disposal picked from the stock in
scrap and quarantine locations, the detail with its actions, and the printed slip."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from approvals.services import steps_of
from core.barcodes import code128_inline_svg
from core.confirm import NOT_CONFIRMED, is_confirmed
from core.idempotency import idempotent_page
from core.lists import SearchFilter, choices_of, filtered_page, page_labels
from core.views import SERVICE_ERRORS, service_failed
from org.access import can_see_costs, workshops_of
from returns.api.disposal_filters import ScrapDisposalFilter
from returns.disposal_forms import DisposalForm, picked_lines
from returns.disposal_selectors import disposable_stock, disposals_in_scope
from returns.models import DisposalState
from returns.services import disposals as services
from returns.views.kinds import actor

MONTH_LABEL = gettext_lazy("Month")
ROUTE_LABEL = gettext_lazy("Disposal route")
# The page actions: (service, message when done, asks "I confirm" first)
ACTIONS = {
    "submit": (services.scrap_disposal_submit, gettext_lazy("%(slip)s submitted."), False),
    "cancel": (services.scrap_disposal_cancel, gettext_lazy("%(slip)s cancelled."), True),
    "post": (services.scrap_disposal_post, gettext_lazy("%(slip)s posted."), True),
}


def may_raise(user) -> bool:
    return any(user.has_perm(perm) for perm in services.RAISE_PERMS)


class DisposalListFilter(ScrapDisposalFilter):
    q = SearchFilter("number")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("number", "updated_since"):
            self.filters.pop(name, None)
        for name in ("state", "route"):
            self.filters[name].extra["empty_label"] = _("all")
        workshops = [(w.code, f"{w.code} {w.name}") for w in workshops_of(user).order_by("code")]
        choices_of(self, "workshop", workshops)
        page_labels(self)
        self.form.fields["route"].label = ROUTE_LABEL
        self.form.fields["month"].label = MONTH_LABEL
        self.form.fields["month"].widget.input_type = "month"


@login_required
def disposal_list(request):
    """Every scrap disposal the user may see: filters state/route/month, search by number."""
    filterset = DisposalListFilter(
        request.GET, queryset=disposals_in_scope(request.user), user=request.user
    )
    context = filtered_page(request, filterset)
    context.update(may_raise=may_raise(request.user), show_costs=can_see_costs(request.user))
    return render(request, "returns/disposal_list.html", context)


def stock_rows(request):
    """The disposable stock, narrowed by the ``stock`` search (material, lot, location)."""
    stock = disposable_stock()
    term = (request.GET.get("stock") or "").strip()
    if term:
        stock = stock.filter(
            Q(material__code__icontains=term)
            | Q(material__name__icontains=term)
            | Q(lot__batch_no__icontains=term)
            | Q(location__code__icontains=term)
        )
    return list(stock[:200]), term


@login_required
@idempotent_page
def disposal_new(request):
    """Pick stock in scrap/quarantine locations (with its on-hand), a route and the
    responsible workshop; the draft is created and shown."""
    if not may_raise(request.user):
        raise PermissionDenied
    stock, term = stock_rows(request)
    form = DisposalForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            lines = picked_lines(request.POST, stock)
            disposal = services.scrap_disposal_create(
                workshop=form.cleaned_data["workshop"],
                route=form.cleaned_data["route"],
                rework_location=form.cleaned_data["rework_location"],
                explanation=form.cleaned_data["explanation"],
                lines=lines,
                applicant=request.user,
                device=actor(request)["device"],
            )
        except SERVICE_ERRORS as error:
            service_failed(request, error, form)
        else:
            messages.success(request, _("%(slip)s created.") % {"slip": disposal})
            return redirect(disposal)
    return render(
        request,
        "returns/disposal_form.html",
        {
            "form": form,
            "stock": [
                {
                    "balance": balance,
                    "qty": request.POST.get(f"qty_{balance.pk}", ""),
                    "serials": request.POST.get(f"serials_{balance.pk}", ""),
                }
                for balance in stock
            ],
            "stock_term": term,
        },
    )


@login_required
def disposal_detail(request, pk):
    disposal = get_object_or_404(disposals_in_scope(request.user), pk=pk)
    user = request.user
    applicant = user.pk == disposal.applicant_id or user.is_superuser
    state = disposal.state
    context = {
        "disposal": disposal,
        "lines": disposal.lines.all(),
        "steps": steps_of(disposal).order_by("round", "sequence"),
        "show_costs": can_see_costs(user),
        "may_submit": applicant and state == DisposalState.DRAFT,
        "may_cancel": applicant
        and state in (DisposalState.DRAFT, DisposalState.SUBMITTED, DisposalState.APPROVED),
        "may_post": state == DisposalState.APPROVED and user.has_perm(services.POST_PERM),
        "finance_above": services.finance_threshold(),
    }
    return render(request, "returns/disposal_detail.html", context)


@require_POST
@login_required
@idempotent_page
def disposal_action(request, pk, action):
    """Submit, cancel or post; cancelling and posting ask "I confirm" first."""
    disposal = get_object_or_404(disposals_in_scope(request.user), pk=pk)
    if action not in ACTIONS:
        raise Http404
    service, done, confirm = ACTIONS[action]
    if confirm and not is_confirmed(request):
        messages.error(request, NOT_CONFIRMED)
        return redirect(disposal)
    try:
        disposal = service(disposal=disposal, **actor(request))
    except SERVICE_ERRORS as error:
        service_failed(request, error)
    else:
        messages.success(request, done % {"slip": disposal})
    return redirect(disposal)


@login_required
def disposal_print(request, number):
    """The printable slip: the number as a Code128 barcode, lines, route and signatures."""
    disposal = get_object_or_404(disposals_in_scope(request.user), number=number)
    return render(
        request,
        "returns/disposal_print.html",
        {
            "disposal": disposal,
            "lines": disposal.lines.all(),
            "barcode": code128_inline_svg(disposal.number),
            "show_costs": can_see_costs(request.user),
        },
    )
