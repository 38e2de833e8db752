"""Export jobs over the API (issue #5).

``POST /exports/`` requests a job (201) — or, with ``?inline=1`` and a small export, answers
with the workbook itself. A job is visible to its requester and to superusers only; anyone
else gets 404.
"""

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.schema import WORKBOOK_RESPONSE
from core.errors import StateConflict
from core.excel import XLSX, xlsx_response
from reports import services
from reports.api import filters, serializers
from reports.models import ExportJob

NOT_READY = _("Export %(id)s is not ready: it is %(state)s.")


class ExportJobViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Excel exports: ledger, recall list (R-L3), consumption variance, month-end (R-J1)."""

    serializer_class = serializers.ExportJobSerializer
    filterset_class = filters.ExportJobFilter
    ordering_fields = ["created_at", "finished_at"]
    queryset = ExportJob.objects.select_related("requested_by")

    def get_permissions(self):
        # Who may export is decided per kind by the service (org.access), not a model perm.
        if self.action == "create":
            return [IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self):
        """The list shows my jobs; a superuser may open anyone's job."""
        jobs = super().get_queryset()
        user = self.request.user
        if self.action == "list" or not user.is_superuser:
            jobs = jobs.filter(requested_by=user)
        return jobs

    @extend_schema(
        request=serializers.ExportRequestInput,
        parameters=[OpenApiParameter("inline", bool, description=_("Small exports at once."))],
        responses={201: serializers.ExportJobSerializer, **WORKBOOK_RESPONSE},
    )
    def create(self, request, *args, **kwargs):
        data = serializers.ExportRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        arguments = {
            "user": request.user,
            "kind": data.validated_data["kind"],
            "params": data.validated_data["params"],
            "device": request.device_id,
        }
        if request.query_params.get("inline") in ("1", "true"):
            content = services.export_inline(**arguments)
            if content is not None:
                return xlsx_response(content, f"{arguments['kind']}.xlsx")
        job = services.export_request(**arguments)
        job.refresh_from_db()
        return Response(self.get_serializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=WORKBOOK_RESPONSE)
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = self.get_object()
        if not job.is_done:
            raise StateConflict(NOT_READY, params={"id": job.pk, "state": job.get_state_display()})
        return FileResponse(
            job.file.open("rb"), as_attachment=True, filename=job.filename(), content_type=XLSX
        )
