"""``/returns/{id}/attachments/`` and ``/replenishments/{id}/attachments/``: list a request's
photos and PDFs, or upload one (multipart, field ``file``) through the same service as the
pages (``returns.services.attachments``), which decides who may attach and what."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from returns.models import RequestAttachment
from returns.services.attachments import attachment_add


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = RequestAttachment
        fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]

    def get_download_url(self, attachment) -> str:
        """The scoped download page (session login), never a storage URL."""
        return self.context["request"].build_absolute_uri(attachment.get_absolute_url())


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField()


class AttachmentsMixin:
    """For request viewsets: the object comes from the viewset's scoped queryset (404 outside
    the user's workshops); the service refuses with 400/403/409."""

    @extend_schema(methods=["GET"], request=None, responses=AttachmentSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": AttachmentInput},
        responses={201: AttachmentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        permission_classes=[IsAuthenticated],
        pagination_class=None,  # at most ATTACHMENT_MAX_PER_REQUEST rows
    )
    def attachments(self, request, pk=None):
        obj = self.get_object()
        context = {"request": request}
        if request.method == "GET":
            rows = obj.attachments.select_related("uploaded_by")
            return Response(AttachmentSerializer(rows, many=True, context=context).data)
        upload = self.parsed(AttachmentInput)["file"]
        attachment = attachment_add(slip=obj, upload=upload, **self.actor())
        return Response(
            AttachmentSerializer(attachment, context=context).data, status=status.HTTP_201_CREATED
        )
