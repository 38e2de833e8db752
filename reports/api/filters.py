import django_filters

from reports.models import ExportJob


class ExportJobFilter(django_filters.FilterSet):
    class Meta:
        model = ExportJob
        fields = ["state", "kind"]
