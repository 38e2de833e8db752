"""Filters of scrap disposals (R-D1), shared by the API and the list page."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.api.filters import MomentFilter
from returns.models import DisposalRoute, DisposalState, ScrapDisposal

MONTH_INVALID = _("Give the month as YYYY-MM.")


class MonthFilter(django_filters.CharFilter):
    """A month as ``YYYY-MM``; anything else is a 400 (a page shows the message)."""

    field_class = forms.RegexField


class ScrapDisposalFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=DisposalState.choices)
    route = django_filters.ChoiceFilter(choices=DisposalRoute.choices)
    workshop = django_filters.CharFilter(field_name="workshop__code")
    month = MonthFilter(
        method="filter_month",
        label="Created in the month (YYYY-MM)",
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": MONTH_INVALID},
    )
    updated_since = MomentFilter(
        field_name="updated_at", lookup_expr="gte", label="Changed at or after (ISO 8601)"
    )

    class Meta:
        model = ScrapDisposal
        fields = ["number", "state", "route", "workshop", "month"]

    def filter_month(self, queryset, name, value):
        year, month = (int(part) for part in value.split("-"))
        return queryset.filter(created_at__year=year, created_at__month=month)
