"""The stock ledger as a read-only page (issue #15): the API's ledger filters
(``inventory.api.filters.LedgerFilter``, one place for each rule) plus a search over
document numbers, newest first, paginated; read through ``core.db.reader()`` like the
ledger API."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.db import reader
from core.lists import SearchFilter, date_inputs, filtered_page, id_page, page_labels
from inventory.api.filters import LedgerFilter
from inventory.models import LedgerEntry
from inventory.selectors import LEDGER_CODES

# API-only filters a page does not show: the ERP's cursor and the exact document id.
NOT_ON_PAGES = ("since_id", "doc_id")


class LedgerListFilter(LedgerFilter):
    q = SearchFilter("doc_id", "work_order__number", label=_("Search by document number"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in NOT_ON_PAGES:
            self.filters.pop(name, None)
        self.filters["movement_type"].extra["empty_label"] = _("all")
        date_inputs(self, "since", "until", "posted_from", "posted_to")
        page_labels(self)


@login_required
def ledger_list(request):
    """Ledger entries (R-L1), newest first, paged by id (a million rows are never counted);
    every role may read them, as through the API."""
    entries = LedgerEntry.objects.using(reader()).prefetch_related(*LEDGER_CODES).order_by("-id")
    filterset = LedgerListFilter(request.GET, queryset=entries)
    context = filtered_page(request, filterset, pager=id_page)
    return render(request, "inventory/ledger_list.html", context)
