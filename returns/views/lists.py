"""Lists of returns, replenishments and shortage slips for every role (issue #15): search
by number, the API's filters (``returns.api.filters``, one place for each rule) and real
pagination, over what ``org.access`` lets the user see (``returns.views.kinds``)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.lists import SearchFilter, choices_of, date_inputs, filtered_page
from org.access import workshops_of
from returns.api.filters import ReplenishRequestFilter, ReturnRequestFilter, ShortageSlipFilter
from returns.models import ReasonCode, RequestKind
from returns.views.kinds import replenishments_in_scope, returns_in_scope, shortages_in_scope

# API-only filters a page does not show (the search box covers the exact number).
NOT_ON_PAGES = ("number", "updated_since")


def page_form(filterset, user, dates):
    """The API FilterSet as a page form: unused filters dropped, "all" for empty choices,
    workshops as a select of the user's own, dates as date pickers."""
    for name in NOT_ON_PAGES:
        filterset.filters.pop(name, None)
    if "state" in filterset.filters:
        filterset.filters["state"].extra["empty_label"] = _("all")
    workshops = [(w.code, f"{w.code} {w.name}") for w in workshops_of(user).order_by("code")]
    choices_of(filterset, "workshop", workshops)
    date_inputs(filterset, *dates)
    return filterset


class ReturnListFilter(ReturnRequestFilter):
    q = SearchFilter("number", "work_order__number")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        page_form(self, user, ("created_after", "created_before"))
        reasons = ReasonCode.objects.filter(kind=RequestKind.RETURN).order_by("code")
        choices_of(self, "reason", [(r.code, f"{r.code} {r.name}") for r in reasons])


class ReplenishListFilter(ReplenishRequestFilter):
    q = SearchFilter("number", "work_order__number")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        page_form(self, user, ("created_after", "created_before"))
        reasons = ReasonCode.objects.filter(kind=RequestKind.REPLENISH).order_by("code")
        choices_of(self, "reason", [(r.code, f"{r.code} {r.name}") for r in reasons])


class ShortageListFilter(ShortageSlipFilter):
    q = SearchFilter("number", "replenish_line__request__number", "material__code")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        page_form(self, user, ("opened_after", "opened_before"))


def request_list(request, *, kind, filter_class, queryset, title):
    filterset = filter_class(request.GET, queryset=queryset, user=request.user)
    context = filtered_page(request, filterset)
    context.update(kind=kind, title=title)
    return render(request, "returns/list_requests.html", context)


@login_required
def return_list(request):
    """Every return slip (退料) the user may see."""
    return request_list(
        request,
        kind="return",
        filter_class=ReturnListFilter,
        queryset=returns_in_scope(request.user),
        title=_("Returns"),
    )


@login_required
def replenish_list(request):
    """Every replenishment (补料) the user may see."""
    return request_list(
        request,
        kind="replenish",
        filter_class=ReplenishListFilter,
        queryset=replenishments_in_scope(request.user),
        title=_("Replenishments"),
    )


@login_required
def shortage_list(request):
    """Every shortage slip (缺料单) the user may see, open and fulfilled."""
    queryset = shortages_in_scope(request.user).select_related(
        "replenish_line__request__work_order__workshop"
    )
    filterset = ShortageListFilter(request.GET, queryset=queryset, user=request.user)
    return render(request, "returns/list_shortages.html", filtered_page(request, filterset))
