from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _
from rest_framework import status, viewsets
from rest_framework.response import Response

from core.errors import StateConflict
from core.services import master_record_delete, master_record_save

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
