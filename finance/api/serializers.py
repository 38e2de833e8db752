from rest_framework import serializers

from core.api.fields import absolute
from finance.models import MonthEnd


class MonthEndSerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    confirmed_by = serializers.CharField(
        source="confirmed_by.username", read_only=True, default=None
    )
    reopened_by = serializers.CharField(source="reopened_by.username", read_only=True, default=None)
    # Annotated by ``finance.selectors.month_end_list``, the same figures as the page's.
    return_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    replenish_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    workbook_url = serializers.SerializerMethodField()

    class Meta:
        model = MonthEnd
        fields = [
            "id",
            "month",
            "state",
            "state_label",
            "flag_amount",
            "return_amount",
            "replenish_amount",
            "computed_at",
            "confirmed_by",
            "confirmed_at",
            "reopened_by",
            "reopened_at",
            "reopen_reason",
            "workbook_url",
        ]
        read_only_fields = fields

    def get_workbook_url(self, month_end) -> str:
        return absolute(self.context.get("request"), "month-end-workbook", month_end.pk)


class MonthEndReopenInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
