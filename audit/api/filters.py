import django_filters

from audit.models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    """Search the trail by object, user, device, action and date (R-U1)."""

    object_type = django_filters.CharFilter()
    object_id = django_filters.CharFilter()
    user = django_filters.CharFilter(field_name="actor_username")
    device = django_filters.CharFilter(field_name="device_id")
    action = django_filters.CharFilter(lookup_expr="startswith")
    request_id = django_filters.CharFilter()  # the X-Request-Id that wrote it (issue #14)
    date_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = AuditEvent
        fields = []
