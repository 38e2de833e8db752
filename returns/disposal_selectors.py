"""Reads of scrap disposals (R-D1) that pages, the API and the approval inbox share: the
disposals a user reaches, the stock that may be disposed of (scrap and quarantine
locations) and the inbox rows (plain dicts, a fixed number of queries)."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.formatting import label
from inventory.models import StockBalance
from org.access import scope_queryset
from returns.models import DisposalRoute, ScrapDisposal, ScrapDisposalLine
from returns.services.disposals import DISPOSABLE_KINDS


def scrap_disposals() -> QuerySet[ScrapDisposal]:
    return ScrapDisposal.objects.select_related(
        "workshop", "applicant", "posted_by", "rework_location"
    ).prefetch_related("lines__material__uom", "lines__lot", "lines__location")


def disposals_in_scope(user) -> QuerySet[ScrapDisposal]:
    """Disposals of the user's workshops (all of them for plant-wide roles)."""
    return scope_queryset(scrap_disposals(), user)


def disposable_stock() -> QuerySet[StockBalance]:
    """What lies in scrap and quarantine locations, the only stock a disposal may take."""
    return (
        StockBalance.objects.filter(
            quantity__gt=0, location__kind__in=DISPOSABLE_KINDS, location__is_active=True
        )
        .select_related("material__uom", "lot", "location")
        .order_by("location__code", "material__code", "lot__batch_no")
    )


def inbox_disposals(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Disposal id → what its approver reads in the inbox, shaped as the request rows
    (``returns.inbox``): two queries for any number of ids."""
    ids = list(ids)
    routes = {code: str(name) for code, name in DisposalRoute.choices}
    rows = {}
    columns = ("id", "number", "state", "explanation", "value", "route", "workshop__code")
    for row in ScrapDisposal.objects.filter(id__in=ids).values(*columns, "applicant__username"):
        route = routes.get(row["route"], row["route"])
        rows[row["id"]] = {
            **row,
            "kind": "scrap_disposal",
            "label": row["number"],
            "work_order": {"number": row["workshop__code"], "planned_qty": None},
            "reason": {"code": str(_("Scrap disposal")), "name": route, "name_zh": route},
            "applicant": row["applicant__username"],
            "amount": row["value"],
            "lines": [],
            "attachments": [],
        }
    lines = ScrapDisposalLine.objects.filter(disposal_id__in=ids).order_by(
        "disposal_id", "position"
    )
    for line in lines.values(
        "disposal_id",
        "quantity",
        "serials",
        "material__code",
        "material__name",
        "lot__batch_no",
        "location__code",
    ):
        rows[line["disposal_id"]]["lines"].append(
            {
                "material": {"code": line["material__code"], "name": line["material__name"]},
                "lot": {"batch_no": line["lot__batch_no"]} if line["lot__batch_no"] else None,
                "serials": line["serials"],
                "quantity": line["quantity"],
                "location": {"code": line["location__code"]},
                "citations": {"all": []},
            }
        )
    return rows


def route_label(route: str) -> str:
    return label(DisposalRoute.choices, route)
