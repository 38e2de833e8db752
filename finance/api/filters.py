import django_filters

from finance.models import MonthEnd


class MonthEndFilter(django_filters.FilterSet):
    class Meta:
        model = MonthEnd
        fields = ["state"]
