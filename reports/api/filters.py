import django_filters

from reports.models import ExportJob
from returns.models import MonthEnd


class ExportJobFilter(django_filters.FilterSet):
    class Meta:
        model = ExportJob
        fields = ["state", "kind"]


class MonthEndFilter(django_filters.FilterSet):
    class Meta:
        model = MonthEnd
        fields = ["state"]
