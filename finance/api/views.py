"""Month-end summaries and their workbook over the API (R-J1, issue #5); finance confirms
and reopens a month (issue #15)."""

from io import BytesIO

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.permissions import HasPerm
from core.api.schema import WORKBOOK_RESPONSE
from core.api.token_scope import READ, TokenScope
from core.excel import xlsx_response
from finance.api import filters, serializers
from finance.month_end import month_end_confirm, month_end_reopen
from finance.selectors import month_end_list
from finance.workbook import month_end_workbook

CONFIRM_MONTH = HasPerm("finance.confirm_month")


class MonthEndViewSet(viewsets.ReadOnlyModelViewSet):
    """Month-end summaries (R-J1) and their workbook for finance."""

    queryset = month_end_list()
    permission_classes = [HasPerm("finance.view_monthend")]
    serializer_class = serializers.MonthEndSerializer
    filterset_class = filters.MonthEndFilter
    token_scope = TokenScope(integration=READ)  # the workbook is finance's, at a desk

    @extend_schema(responses=WORKBOOK_RESPONSE)
    @action(detail=True, methods=["get"])
    def workbook(self, request, pk=None):
        """Small by construction (grouped rows): built at once in the user's language."""
        month_end = self.get_object()
        content = BytesIO()
        month_end_workbook(month_end, content)
        return xlsx_response(content.getvalue(), f"month-end-{month_end}.xlsx")

    def respond(self, month_end) -> Response:
        month_end = self.get_queryset().get(pk=month_end.pk)  # with the list's figures
        return Response(self.get_serializer(month_end).data)

    @extend_schema(request=None, responses=serializers.MonthEndSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CONFIRM_MONTH])
    def confirm(self, request, pk=None):
        """Confirm and lock an ended month (409 for the current or a future month)."""
        month_end = month_end_confirm(
            month_end=self.get_object(), actor=request.user, device=request.device_id
        )
        return self.respond(month_end)

    @extend_schema(
        request=serializers.MonthEndReopenInput, responses=serializers.MonthEndSerializer
    )
    @action(detail=True, methods=["post"], permission_classes=[CONFIRM_MONTH])
    def reopen(self, request, pk=None):
        """Reopen a confirmed month with a reason (400 without one, 409 if not confirmed)."""
        data = serializers.MonthEndReopenInput(data=request.data)
        data.is_valid(raise_exception=True)
        month_end = month_end_reopen(
            month_end=self.get_object(),
            reason=data.validated_data["reason"],
            actor=request.user,
            device=request.device_id,
        )
        return self.respond(month_end)
