"""Month-end summaries and their workbook over the API (R-J1, issue #5)."""

from io import BytesIO

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action

from core.api.permissions import HasPerm
from core.api.schema import WORKBOOK_RESPONSE
from core.api.token_scope import READ, TokenScope
from core.excel import xlsx_response
from finance.api import filters, serializers
from finance.selectors import month_end_list
from finance.workbook import month_end_workbook


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
