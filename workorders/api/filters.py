import django_filters

from core.api.filters import MomentFilter
from workorders.models import MaterialIssue, WorkOrder


class WorkOrderFilter(django_filters.FilterSet):
    product = django_filters.CharFilter(field_name="product__code")
    workshop = django_filters.CharFilter(field_name="workshop__code")
    updated_since = MomentFilter(field_name="updated_at", lookup_expr="gte")
    completed_before = MomentFilter(field_name="completed_at", lookup_expr="lt")

    class Meta:
        model = WorkOrder
        fields = ["number", "status", "product", "workshop", "updated_since"]


class MaterialIssueFilter(django_filters.FilterSet):
    work_order = django_filters.CharFilter(field_name="work_order__number")
    open_borrow = django_filters.BooleanFilter(method="filter_open_borrow")

    class Meta:
        model = MaterialIssue
        fields = ["work_order", "is_borrowed"]

    def filter_open_borrow(self, queryset, name, value):
        open_ = queryset.filter(is_borrowed=True, regularised_at__isnull=True)
        return open_ if value else queryset.exclude(pk__in=open_.values("pk"))
