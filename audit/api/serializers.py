from rest_framework import serializers

from audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="actor_username", read_only=True)
    device = serializers.CharField(source="device_id", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "stream",
            "seq",
            "created_at",
            "user",
            "device",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "request_id",
            "hash",
        ]
        read_only_fields = fields


class ExportQuery(serializers.Serializer):
    type = serializers.ChoiceField(choices=["xlsx", "csv"], default="xlsx")
