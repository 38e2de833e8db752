from rest_framework import serializers

from alerts.models import Alert, Notification


class NotificationSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="shown_title", read_only=True)
    body = serializers.CharField(source="shown_body", read_only=True)
    kind = serializers.CharField(source="alert.kind", default=None, read_only=True)
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "alert", "kind", "created_at", "read_at", "unread"]
        read_only_fields = fields

    def get_unread(self, notification) -> bool:
        return notification.read_at is None


class AlertSerializer(serializers.ModelSerializer):
    object_type = serializers.CharField(source="content_type.model", read_only=True)
    message = serializers.CharField(read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "kind",
            "level",
            "object_type",
            "object_id",
            "object_repr",
            "message",
            "params",
            "raised_at",
            "cleared_at",
        ]
        read_only_fields = fields


class ReadAllResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
