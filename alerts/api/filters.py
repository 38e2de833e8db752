import django_filters

from alerts.models import Alert, Notification


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")
    kind = django_filters.CharFilter(field_name="alert__kind")

    class Meta:
        model = Notification
        fields = ["unread", "kind"]


class AlertFilter(django_filters.FilterSet):
    class Meta:
        model = Alert
        fields = ["kind", "level"]
