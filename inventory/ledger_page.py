"""The stock ledger as a read-only page (issue #15): the API's ledger filters
(``inventory.api.filters.LedgerFilter``, one place for each rule) plus a search over
document numbers, newest first, paginated; read through ``core.db.reader()`` like the
ledger API.

Rows are plain values (issue #17): the page of entries, then one small query per code
the rows name (a seven-table join cost more to plan than to run), movement names
translated once a page and the work-order link reversed once a page.
"""

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import CharField, F, QuerySet, Value
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.formats import date_format
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
ENTRY_COLUMNS = ("id", "created_at", "posting_date", "movement_type", "quantity", "doc_id")
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
        date_inputs(self, "since", "until", "posted_from", "posted_to")
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
    an empty key), its movement's name, its posting day as shown and its work order's link.
    A page's entries share a few posting days: each is formatted once, not once a row."""
    movements = {code: str(name) for code, name in MovementType.choices}
    days: dict[date, str] = {}
    work_order_link = url_template("workorders:detail", "pk")
    codes = codes_of(rows, database)
    for row in rows:
        for relation in CODES:
            row[relation] = codes.get((relation, row[f"{relation}_id"]))
        row["movement"] = movements.get(row["movement_type"], row["movement_type"])
        day = row["posting_date"]
        if day not in days:
            days[day] = date_format(day, "SHORT_DATE_FORMAT")
        row["posting_day"] = days[day]
        if row["work_order_id"]:
            row["work_order_url"] = work_order_link.format(pk=row["work_order_id"])


def codes_of(rows: list[dict[str, Any]], database: str) -> dict[tuple[str, int], dict]:
    """(relation, id) → that row's codes, for every key the rows name: one ``UNION ALL``
    statement for all the relations (one round trip instead of six)."""
    parts = []
    for relation, (code, *name) in CODES.items():
        ids = {row[f"{relation}_id"] for row in rows} - {None}
        model = LedgerEntry._meta.get_field(relation).related_model
        parts.append(
            model._base_manager.using(database)
            .filter(pk__in=ids)
            .order_by()  # a model's default ordering is refused inside a UNION
            .values(
                relation=Value(relation, output_field=CharField()),
                key=F("pk"),
                first=F(code),
                second=F(name[0]) if name else Value("", output_field=CharField()),
            )
        )
    codes = {}
    for found in parts[0].union(*parts[1:], all=True):
        columns = CODES[found["relation"]]
        codes[found["relation"], found["key"]] = dict(
            zip(columns, (found["first"], found["second"]), strict=False)
        )
    return codes
