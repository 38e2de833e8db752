import django_filters
from django.db.models import Q

from core.api.filters import MomentFilter
from returns.models import ReasonCode, ReplenishRequest, ReturnRequest, ShortageSlip


class ReasonCodeFilter(django_filters.FilterSet):
    class Meta:
        model = ReasonCode
        fields = ["kind", "code", "is_active"]


class RequestFilter(django_filters.FilterSet):
    """Filters shared by return and replenish requests."""

    work_order = django_filters.CharFilter(field_name="work_order__number")
    reason = django_filters.CharFilter(field_name="reason__code")
    workshop = django_filters.CharFilter(field_name="work_order__workshop__code")
    applicant = django_filters.CharFilter(field_name="applicant__username")
    created_after = MomentFilter(field_name="created_at", lookup_expr="gte")
    created_before = MomentFilter(field_name="created_at", lookup_expr="lt")
    submitted_after = MomentFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = MomentFilter(field_name="submitted_at", lookup_expr="lt")
    updated_since = MomentFilter(
        field_name="updated_at", lookup_expr="gte", label="Changed at or after (ISO 8601)"
    )

    class Meta:
        fields = ["number", "state", "work_order", "reason", "workshop", "applicant"]


class ReturnRequestFilter(RequestFilter):
    class Meta(RequestFilter.Meta):
        model = ReturnRequest


class ReplenishRequestFilter(RequestFilter):
    class Meta(RequestFilter.Meta):
        model = ReplenishRequest


class ShortageSlipFilter(django_filters.FilterSet):
    material = django_filters.CharFilter(field_name="material__code")
    work_order = django_filters.CharFilter(field_name="replenish_line__request__work_order__number")
    workshop = django_filters.CharFilter(
        field_name="replenish_line__request__work_order__workshop__code"
    )
    opened_after = MomentFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = MomentFilter(field_name="opened_at", lookup_expr="lt")
    updated_since = MomentFilter(
        method="filter_updated_since", label="Opened or closed at or after (ISO 8601)"
    )

    class Meta:
        model = ShortageSlip
        fields = ["number", "state", "material", "work_order", "workshop"]

    def filter_updated_since(self, queryset, name, value):
        # A slip changes only when it is opened and when it is closed.
        return queryset.filter(Q(opened_at__gte=value) | Q(closed_at__gte=value))
