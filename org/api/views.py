from audit.api.master_data import CodedMasterDataViewSet
from org.api.serializers import WorkshopSerializer
from org.models import Workshop


class WorkshopViewSet(CodedMasterDataViewSet):
    queryset = Workshop.objects.all()
    serializer_class = WorkshopSerializer
    filterset_fields = ["code"]
    search_fields = ["code", "name"]
