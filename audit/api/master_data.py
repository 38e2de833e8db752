"""Master-data viewsets: every API write goes through the audited master-record services."""

from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit.master_data import master_record_delete, master_record_save
from core.api.token_scope import READ, TokenScope
from core.errors import StateConflict

IN_USE = _("%(object)s is in use and cannot be deleted.")


class MasterDataViewSet(viewsets.ModelViewSet):
    """CRUD for master data; every write goes through the audited master-record services."""

    def perform_create(self, serializer):
        instance = serializer.Meta.model(**serializer.validated_data)
        serializer.instance = master_record_save(
            instance=instance, actor=self.request.user, device=self.request.device_id
        )

    def perform_update(self, serializer):
        instance = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        master_record_save(
            instance=instance, actor=self.request.user, device=self.request.device_id
        )

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        try:
            master_record_delete(instance=instance, actor=request.user, device=request.device_id)
        except ProtectedError as error:
            raise StateConflict(IN_USE, params={"object": instance}) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


class CodedMasterDataViewSet(MasterDataViewSet):
    """Master data the ERP sends by code: ``PUT …/by-code/{code}/`` creates or replaces it.
    Handhelds look it up; neither writes it any other way."""

    token_scope = TokenScope(integration=READ | {"upsert"}, device=READ)

    @extend_schema(parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH)])
    @action(detail=False, methods=["put"], url_path=r"by-code/(?P<code>[^/]+)")
    def upsert(self, request, code=None):
        """Create or replace the record with this code; sending it again changes nothing."""
        instance = self.get_queryset().filter(code=code).first()
        data = request.data.copy()
        data["code"] = code
        serializer = self.get_serializer(instance, data=data)
        serializer.is_valid(raise_exception=True)
        if instance is None:
            self.perform_create(serializer)
        else:
            self.perform_update(serializer)
        return Response(
            self.get_serializer(serializer.instance).data,
            status=status.HTTP_201_CREATED if instance is None else status.HTTP_200_OK,
        )
