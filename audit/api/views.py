"""The auditor's search and export of the audit trail (R-U1, issue #7 item 4)."""

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action

from audit import exports
from audit.api import filters, serializers
from audit.models import AuditEvent
from core.api.permissions import HasPerm

READ_AUDIT = HasPerm("audit.view_auditevent")


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """Audit events, newest first; filter by object, user, device, action and dates."""

    queryset = AuditEvent.objects.order_by("-id")
    serializer_class = serializers.AuditEventSerializer
    filterset_class = filters.AuditEventFilter
    permission_classes = [READ_AUDIT]
    ordering_fields = ["id", "created_at"]
    search_fields = ["object_repr", "object_id", "actor_username"]

    @extend_schema(
        parameters=[serializers.ExportQuery],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        description="The filtered events as an Excel workbook (default) or CSV "
        f"(at most {exports.EXPORT_LIMIT} rows).",
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request):
        query = serializers.ExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        events = self.filter_queryset(self.get_queryset())[: exports.EXPORT_LIMIT]
        if query.validated_data["type"] == "csv":
            response = StreamingHttpResponse(exports.events_csv(events), content_type="text/csv")
        else:
            response = HttpResponse(exports.workbook_bytes(events), content_type=exports.XLSX)
        name = f"audit-events.{query.validated_data['type']}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
