from django.urls import reverse
from rest_framework import serializers

from reports.models import ExportJob, ExportKind
from returns.models import MonthEnd


def absolute(request, name, pk):
    url = reverse(name, args=[pk])
    return request.build_absolute_uri(url) if request else url


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


class MonthEndSerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    confirmed_by = serializers.CharField(
        source="confirmed_by.username", read_only=True, default=None
    )
    workbook_url = serializers.SerializerMethodField()

    class Meta:
        model = MonthEnd
        fields = [
            "id",
            "month",
            "state",
            "state_label",
            "flag_amount",
            "computed_at",
            "confirmed_by",
            "confirmed_at",
            "workbook_url",
        ]
        read_only_fields = fields

    def get_workbook_url(self, month_end) -> str:
        return absolute(self.context.get("request"), "month-end-workbook", month_end.pk)
