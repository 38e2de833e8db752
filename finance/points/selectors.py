"""Totals of point entries per workshop and department, and per team and person, for a
month (R-J3, R-J4): penalties (negative), rewards (positive), net, the number of entries,
and the entries whose cell carries no number (management decides, production bears)."""

from datetime import date

from django.db.models import Count, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from finance.models import CellKind, PointEntry

NO_NUMBER = Q(cell__in=[CellKind.MANAGEMENT_DECIDES, CellKind.PRODUCTION_BEARS], points=0)


def totals() -> dict:
    zero = Value(0, output_field=IntegerField())
    return {
        "penalty": Coalesce(Sum("points", filter=Q(points__lt=0)), zero),
        "reward": Coalesce(Sum("points", filter=Q(points__gt=0)), zero),
        "net": Coalesce(Sum("points"), zero),
        "entries": Count("id"),
        "open_cells": Count("id", filter=NO_NUMBER),
    }


def points_of_month(month: date) -> QuerySet[PointEntry]:
    return PointEntry.objects.filter(month=month.replace(day=1))


def points_by_workshop(month: date) -> list[dict]:
    """One row per workshop and responsible department, as the table reads."""
    group = ["workshop__code", "workshop__name", "department"]
    return list(
        points_of_month(month)
        .values(*group)
        .annotate(**totals())
        .order_by("workshop__code", "department")
    )


def points_by_person(month: date) -> list[dict]:
    """One row per workshop, team and person named by an entry."""
    group = ["workshop__code", "team", "person__username"]
    return list(
        points_of_month(month)
        .filter(person__isnull=False)
        .values(*group)
        .annotate(**totals())
        .order_by("workshop__code", "team", "person__username")
    )


def point_entries(month: date | None = None) -> QuerySet[PointEntry]:
    """Entries for the points page, newest first, with what a row shows."""
    entries = PointEntry.objects.select_related("workshop", "person", "rule", "scheme")
    if month is not None:
        entries = entries.filter(month=month.replace(day=1))
    return entries.order_by("-created_at", "-id")
