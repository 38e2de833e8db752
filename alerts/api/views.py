from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from alerts import selectors
from alerts.api import filters, serializers
from alerts.models import Alert, Notification
from alerts.services import notifications_mark_all_read, notifications_mark_read
from core.api.token_scope import READ, TokenScope


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The current user's own notifications (``?unread=true`` for the unread ones); anyone
    else's are 404."""

    serializer_class = serializers.NotificationSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = filters.NotificationFilter
    ordering_fields = ["created_at"]
    token_scope = TokenScope(device=READ | {"read", "read_all", "unread_count"})

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.notifications_for(self.request.user)

    @extend_schema(request=None, responses=serializers.NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        notifications_mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db(fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=serializers.ReadAllResultSerializer)
    @action(
        detail=False,
        methods=["post"],
        url_path="read-all",
        filter_backends=[],
        pagination_class=None,
    )
    def read_all(self, request):
        marked = notifications_mark_all_read(user=request.user)
        return Response(serializers.ReadAllResultSerializer({"marked": len(marked)}).data)

    @extend_schema(responses=serializers.UnreadCountSerializer)
    @action(
        detail=False,
        methods=["get"],
        url_path="unread-count",
        filter_backends=[],
        pagination_class=None,
    )
    def unread_count(self, request):
        count = selectors.unread_count(request.user)
        return Response(serializers.UnreadCountSerializer({"unread": count}).data)


class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Open alerts (``?kind=``): all for staff, otherwise the ones the user was told about."""

    serializer_class = serializers.AlertSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = filters.AlertFilter
    ordering_fields = ["raised_at"]
    token_scope = TokenScope(device=READ)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Alert.objects.none()
        return selectors.open_alerts(user=self.request.user)
