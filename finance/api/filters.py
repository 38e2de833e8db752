import django_filters

from core.months import MonthField
from finance.models import MonthEnd


class MonthFilter(django_filters.Filter):
    """``?month=2026-10``; a bad month is a 400 naming the parameter (``core.months``)."""

    field_class = MonthField


class MonthEndFilter(django_filters.FilterSet):
    month = MonthFilter()

    class Meta:
        model = MonthEnd
        fields = ["month", "state"]
