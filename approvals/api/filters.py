import django_filters
from django.utils import timezone

from approvals.models import ApprovalStep, Delegation, Tier, TierAssignment
from approvals.registry import kind_choices
from approvals.selectors import request_content_type


class InboxFilter(django_filters.FilterSet):
    tier = django_filters.ChoiceFilter(choices=Tier.choices)
    workshop = django_filters.CharFilter(field_name="workshop__code")
    kind = django_filters.ChoiceFilter(choices=kind_choices(), method="filter_kind")
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = ApprovalStep
        fields = ["tier", "workshop", "kind", "overdue"]

    def filter_kind(self, queryset, name, value):
        return queryset.filter(content_type=request_content_type(value))

    def filter_overdue(self, queryset, name, value):
        late = {"due_at__lt": timezone.now()}
        return queryset.filter(**late) if value else queryset.exclude(**late)


class TierAssignmentFilter(django_filters.FilterSet):
    user = django_filters.CharFilter(field_name="user__username")
    workshop = django_filters.CharFilter(field_name="workshop__code")
    plant_wide = django_filters.BooleanFilter(field_name="workshop", lookup_expr="isnull")

    class Meta:
        model = TierAssignment
        fields = ["user", "tier", "workshop", "plant_wide"]


class DelegationFilter(django_filters.FilterSet):
    principal = django_filters.CharFilter(field_name="principal__username")
    delegate = django_filters.CharFilter(field_name="delegate__username")
    active_on = django_filters.DateFilter(method="filter_active_on")

    class Meta:
        model = Delegation
        fields = ["principal", "delegate", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(starts__lte=value, ends__gte=value)
