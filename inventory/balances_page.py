"""Stock on hand as a read-only page (R-L2), and as of a day (R-L6, issue #17 item 6): the
API's balance filters (``inventory.api.filters.BalanceFilter``) plus an "as of" date; with
it, the rows are the ledger summed by posting date up to that day (``stock_as_of``)."""

import django_filters
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.lists import filtered_page, page_labels
from inventory.api.filters import BalanceFilter
from inventory.models import StockBalance
from inventory.selectors import AS_OF_KEY, stock_as_of


class BalanceListFilter(BalanceFilter):
    # The API's true/false, as words a storekeeper picks from (not "Unknown/Yes/No").
    in_stock = django_filters.BooleanFilter(
        label=_("On hand"),
        method="filter_in_stock",
        widget=forms.Select(
            choices=[("", _("all")), ("true", _("in stock")), ("false", _("none on hand"))]
        ),
    )
    as_of = django_filters.DateFilter(
        label=_("As of"),
        method="rows_chosen",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: now."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        page_labels(self)

    def rows_chosen(self, queryset, name, value):
        """The day picks which rows are filtered (``balance_list``), not which of them."""
        return queryset


@login_required
def balance_list(request):
    """Balances by material, lot and location; every role may read them, as through the API."""
    current = StockBalance.objects.values(*AS_OF_KEY, "quantity").order_by(
        "material__code", "lot__batch_no", "location__code"
    )
    filterset = BalanceListFilter(request.GET, queryset=current)
    day = filterset.form.cleaned_data.get("as_of") if filterset.is_valid() else None
    if day is not None:
        filterset.queryset = stock_as_of(day)
    context = {**filtered_page(request, filterset), "as_of": day}
    status = 400 if filterset.errors else 200
    return render(request, "inventory/balance_list.html", context, status=status)
