"""What list pages share (issue #15): a FilterSet bound to the query string, a search box
over document numbers, and real pagination (Django's ``Paginator``, no silent cut-off).

The filter rules themselves are the API's FilterSets (``<app>/api/filters.py``); a page
only adds its search box and date inputs, so each rule lives in one place.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters import CharFilter, FilterSet

PAGE_SIZE = 50


class SearchFilter(CharFilter):
    """``q``: a part of a number, matched in any of ``fields`` (case-insensitive)."""

    def __init__(self, *fields: str, **kwargs):
        kwargs.setdefault("label", _("Search by number"))
        super().__init__(**kwargs)
        self.search_fields = fields

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        match = Q()
        for field in self.search_fields:
            match |= Q(**{f"{field}__icontains": value})
        return qs.filter(match)


# What the page forms call the API's filters (their generated labels read like lookups).
LABELS = {
    "state": _("State"),
    "status": _("Status"),
    "work_order": _("Work order"),
    "workshop": _("Workshop"),
    "reason": _("Reason"),
    "applicant": _("Applicant (user name)"),
    "material": _("Material"),
    "lot": _("Lot"),
    "location": _("Location"),
    "warehouse": _("Warehouse"),
    "movement_type": _("Movement"),
    "doc_type": _("Document type"),
    "product": _("Product"),
    "created_after": _("Created from"),
    "created_before": _("Created before"),
    "submitted_after": _("Submitted from"),
    "submitted_before": _("Submitted before"),
    "opened_after": _("Opened from"),
    "opened_before": _("Opened before"),
    "posted_after": _("Posted from"),
    "posted_before": _("Posted before"),
    "since": _("From"),
    "until": _("Up to (not including)"),
    "completed_before": _("Completed before"),
}


def page_labels(filterset: FilterSet) -> None:
    """Plain labels for the page form, the search box first."""
    form = filterset.form
    for name, field in form.fields.items():
        if name in LABELS:
            field.label = LABELS[name]
    form.order_fields(["q"])


def date_inputs(filterset: FilterSet, *names: str) -> None:
    """Show the moment filters ``names`` as date pickers (a date is its midnight)."""
    for name in names:
        filterset.form.fields[name].widget = forms.DateInput(attrs={"type": "date"})


def choices_of(filterset: FilterSet, name: str, values: list[tuple[str, str]]) -> None:
    """Show the text filter ``name`` as a select of ``values`` (code, label)."""
    field = filterset.form.fields[name]
    field.widget = forms.Select(choices=[("", _("all")), *values])


def page_of(
    request: HttpRequest, queryset: QuerySet, per_page: int = PAGE_SIZE, param: str = "page"
) -> Page:
    """The asked page (``?page=``, or ``param`` where a page has several lists) of
    ``queryset``; a page out of range is the last one. ``page.param``, ``page.query``
    (the query string without ``param``) and ``page.links`` (page numbers, elided) are what
    ``includes/pagination.html`` draws."""
    page = Paginator(queryset, per_page).get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    page.param, page.query = param, query.urlencode()
    page.links = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


def filtered_page(
    request: HttpRequest, filterset: FilterSet, per_page: int = PAGE_SIZE, pager=None
) -> dict[str, object]:
    """The context of a list page: the filter form, the page of rows and the query string
    without ``page`` (for the page links). Invalid filters show their errors and no rows.
    ``pager`` is ``page_of`` (numbered pages) unless a big table pages by id (``id_page``)."""
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = (pager or page_of)(request, rows, per_page)
    return {"filter": filterset, "form": filterset.form, "page": page, "query": page.query}


@dataclass
class IdPage:
    """One page of a big append-only table, newest first, paged by id (keyset): no
    ``COUNT(*)`` over a million rows and no OFFSET scan, yet every row is reachable
    through the Older links. ``older``/``newer`` are the ids the links carry."""

    rows: list
    older: int | None
    newer: int | None
    query: str

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)


def id_page(request: HttpRequest, queryset: QuerySet, per_page: int = PAGE_SIZE) -> IdPage:
    """``?before=ID`` pages back in time, ``?after=ID`` forward; neither is the newest
    page. One query: a row beyond the page tells whether there is more that way."""
    query = request.GET.copy()
    for name in ("before", "after", "page"):
        query.pop(name, None)
    before, after = id_param(request, "before"), id_param(request, "after")
    if after is not None:
        rows = list(queryset.filter(id__gt=after).order_by("id")[: per_page + 1])
        more_newer = len(rows) > per_page
        rows = rows[:per_page][::-1]
        newer = row_id(rows[0]) if rows and more_newer else None
        older = row_id(rows[-1]) if rows else after + 1
        return IdPage(rows, older, newer, query.urlencode())
    if before is not None:
        queryset = queryset.filter(id__lt=before)
    rows = list(queryset.order_by("-id")[: per_page + 1])
    more_older = len(rows) > per_page
    rows = rows[:per_page]
    older = row_id(rows[-1]) if rows and more_older else None
    newer = (row_id(rows[0]) if rows else before - 1) if before is not None else None
    return IdPage(rows, older, newer, query.urlencode())


def row_id(row: Any) -> int:
    """The id of a model instance or of a ``.values()`` row."""
    return row["id"] if isinstance(row, dict) else row.id


def id_param(request: HttpRequest, name: str) -> int | None:
    """A positive id from the query string, or None (a bad value is ignored)."""
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and 0 < int(value) < 2**63 else None


def url_template(name: str, *placeholders: str, **fixed: str) -> str:
    """``name``'s URL with ``{arg}`` for each integer argument in ``placeholders``, to fill
    per row with ``str.format``, and ``fixed`` as given: a list reverses a link once, not
    once a row. ``url_template("returns:request_detail", "pk", kind="return")`` →
    ``/returns/return/{pk}/``."""
    marks = {arg: 900_000_001 + n for n, arg in enumerate(placeholders)}
    url = reverse(name, kwargs={**fixed, **marks})
    for arg, mark in marks.items():
        url = url.replace(str(mark), f"{{{arg}}}")
    return url
