from rest_framework import serializers

from core.api.fields import absolute
from reports.models import ExportJob, ExportKind


class ExportRequestInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ExportKind.choices)
    params = serializers.DictField(required=False, default=dict)


class ExportJobSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "kind_label",
            "params",
            "state",
            "state_label",
            "progress",
            "row_count",
            "error",
            "language",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, job) -> str | None:
        if not job.is_done:
            return None
        return absolute(self.context.get("request"), "export-download", job.pk)
