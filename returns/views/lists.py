"""Lists of returns, replenishments and shortage slips for every role (issue #15): search
by number, the API's filters (``returns.api.filters``, one place for each rule) and real
pagination, over what ``org.access`` lets the user see (``returns.views.kinds``)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.lists import SearchFilter, choices_of, date_inputs, filtered_page, page_labels
from org.access import workshops_of
from returns.api.filters import ReplenishRequestFilter, ReturnRequestFilter, ShortageSlipFilter
from returns.forms import reason_label
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


class RequestListMixin:
    """The page form of a request FilterSet: reasons of the request's kind as a select.
    (Each FilterSet declares its own ``q``: django-filter collects filters from FilterSets.)"""

    reason_kind = ""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        page_form(
            self, user, ("created_after", "created_before", "submitted_after", "submitted_before")
        )
        reasons = ReasonCode.objects.filter(kind=self.reason_kind).order_by("code")
        choices_of(self, "reason", [(r.code, reason_label(r)) for r in reasons])
        page_labels(self)


class ReturnListFilter(RequestListMixin, ReturnRequestFilter):
    q = SearchFilter("number", "work_order__number")
    reason_kind = RequestKind.RETURN


class ReplenishListFilter(RequestListMixin, ReplenishRequestFilter):
    q = SearchFilter("number", "work_order__number")
    reason_kind = RequestKind.REPLENISH


class ShortageListFilter(ShortageSlipFilter):
    q = SearchFilter("number", "replenish_line__request__number", "material__code")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        page_form(self, user, ("opened_after", "opened_before"))
        page_labels(self)


# kind → (FilterSet, the user's requests, title)
LISTS = {
    "return": (ReturnListFilter, returns_in_scope, _("Returns")),
    "replenish": (ReplenishListFilter, replenishments_in_scope, _("Replenishments")),
}


def request_list(request, kind):
    """Every return slip (退料) or replenishment (补料) the user may see."""
    filter_class, in_scope, title = LISTS[kind]
    filterset = filter_class(request.GET, queryset=in_scope(request.user), user=request.user)
    context = filtered_page(request, filterset)
    context.update(kind=kind, title=title)
    return render(request, "returns/list_requests.html", context)


@login_required
def return_list(request):
    return request_list(request, "return")


@login_required
def replenish_list(request):
    return request_list(request, "replenish")


@login_required
def shortage_list(request):
    """Every shortage slip (缺料单) the user may see, open and fulfilled."""
    queryset = shortages_in_scope(request.user).select_related(
        "replenish_line__request__work_order__workshop"
    )
    filterset = ShortageListFilter(request.GET, queryset=queryset, user=request.user)
    return render(request, "returns/list_shortages.html", filtered_page(request, filterset))
