import django_filters

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
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

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

    class Meta:
        model = ShortageSlip
        fields = ["number", "state", "material", "work_order"]
