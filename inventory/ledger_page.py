"""The stock ledger as a read-only page (issue #15): the API's ledger filters
(``inventory.api.filters.LedgerFilter``, one place for each rule) plus a search over
document numbers, newest first, paginated; read through ``core.db.reader()`` like the
ledger API.

Rows are plain values (issue #17): the page of entries, then one small query per code
the rows name (a seven-table join cost more to plan than to run), movement names
translated once a page and the work-order link reversed once a page.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.db import reader
from core.lists import (
    IdPage,
    SearchFilter,
    date_inputs,
    filtered_page,
    id_page,
    page_labels,
    url_template,
)
from inventory.api.filters import LedgerFilter
from inventory.models import LedgerEntry, MovementType

# API-only filters a page does not show: the ERP's cursor and the exact document id.
NOT_ON_PAGES = ("since_id", "doc_id")
ENTRY_COLUMNS = ("id", "created_at", "movement_type", "quantity", "doc_id")
# relation → the columns of it a row shows (inventory.selectors.LEDGER_CODES, as values)
CODES = {
    "material": ("code", "name"),
    "lot": ("batch_no",),
    "serial": ("serial_no",),
    "location": ("code",),
    "work_order": ("number",),
    "actor": ("username",),
}


class LedgerListFilter(LedgerFilter):
    q = SearchFilter("doc_id", "work_order__number", label=_("Search by document number"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in NOT_ON_PAGES:
            self.filters.pop(name, None)
        self.filters["movement_type"].extra["empty_label"] = _("all")
        date_inputs(self, "since", "until")
        page_labels(self)


@login_required
def ledger_list(request):
    """Ledger entries (R-L1), newest first, paged by id (a million rows are never counted);
    every role may read them, as through the API."""
    database = reader()
    entries = LedgerEntry.objects.using(database).order_by("-id")
    filterset = LedgerListFilter(request.GET, queryset=entries)
    context = filtered_page(request, filterset, pager=values_page)
    with_codes(context["page"].rows, database)
    return render(request, "inventory/ledger_list.html", context)


def values_page(request: HttpRequest, entries: QuerySet, per_page: int) -> IdPage:
    """``id_page`` of the entries' own columns and keys, as ``.values()`` rows."""
    keys = [f"{relation}_id" for relation in CODES]
    return id_page(request, entries.values(*ENTRY_COLUMNS, *keys), per_page)


def with_codes(rows: list[dict[str, Any]], database: str) -> None:
    """Set on each row its codes (``row["material"] = {"code": …, "name": …}``, None for
    an empty key), its movement's name and its work order's link: one query per relation
    for the whole page."""
    movements = {code: str(name) for code, name in MovementType.choices}
    work_order_link = url_template("workorders:detail", "pk")
    for relation, columns in CODES.items():
        model = LedgerEntry._meta.get_field(relation).related_model
        ids = {row[f"{relation}_id"] for row in rows} - {None}
        found = model._base_manager.using(database).filter(pk__in=ids).values("pk", *columns)
        codes = {code.pop("pk"): code for code in found}
        for row in rows:
            row[relation] = codes.get(row[f"{relation}_id"])
    for row in rows:
        row["movement"] = movements.get(row["movement_type"], row["movement_type"])
        if row["work_order_id"]:
            row["work_order_url"] = work_order_link.format(pk=row["work_order_id"])
