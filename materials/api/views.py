from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit.api.master_data import CodedMasterDataViewSet
from core.api.permissions import HasPerm
from core.api.token_scope import READ, TokenScope
from materials.api.filters import BomFilter, MaterialFilter, SupplierFilter
from materials.api.serializers import (
    BomContentInput,
    BomInputSerializer,
    BomSerializer,
    MaterialCategorySerializer,
    MaterialSerializer,
    SupplierSerializer,
    UnitOfMeasureSerializer,
)
from materials.models import Bom, BomLine, Material, MaterialCategory, Supplier, UnitOfMeasure
from materials.services import bom_delete, bom_save, bom_upsert


class UnitOfMeasureViewSet(CodedMasterDataViewSet):
    queryset = UnitOfMeasure.objects.all()
    serializer_class = UnitOfMeasureSerializer
    filterset_fields = ["code"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]


class MaterialCategoryViewSet(CodedMasterDataViewSet):
    queryset = MaterialCategory.objects.all()
    serializer_class = MaterialCategorySerializer
    filterset_fields = ["code", "approval_class"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]


class MaterialViewSet(CodedMasterDataViewSet):
    queryset = Material.objects.select_related(
        "uom", "category", "warehouse_category", "default_location"
    )
    serializer_class = MaterialSerializer
    filterset_class = MaterialFilter
    search_fields = ["code", "name", "specification"]
    ordering_fields = ["code", "name", "updated_at"]


class SupplierViewSet(CodedMasterDataViewSet):
    """Suppliers (R-S1), addressed by code (``/suppliers/{code}/``); the ERP upserts them with
    ``PUT /suppliers/by-code/{code}/`` like materials, every write audited."""

    queryset = Supplier.objects.all()
    serializer_class = SupplierSerializer
    filterset_class = SupplierFilter
    search_fields = ["code", "name", "contact"]
    ordering_fields = ["code", "name", "updated_at"]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"


@extend_schema_view(
    create=extend_schema(request=BomInputSerializer),
    update=extend_schema(request=BomInputSerializer),
    partial_update=extend_schema(request=BomInputSerializer),
)
class BomViewSet(viewsets.ModelViewSet):
    """BOM versions written whole with their lines nested (R-M3)."""

    queryset = Bom.objects.select_related("product").prefetch_related(
        Prefetch("lines", queryset=BomLine.objects.select_related("material"))
    )
    serializer_class = BomSerializer
    filterset_class = BomFilter
    search_fields = ["product__code", "product__name", "note"]
    ordering_fields = ["product__code", "version", "updated_at"]
    token_scope = TokenScope(integration=READ | {"upsert"})

    def create(self, request, *args, **kwargs):
        bom = self.write(request.data)
        return Response(self.output(bom), status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        bom = self.get_object()
        data = request.data
        if partial and isinstance(data, dict):  # PATCH: what it does not name stays as is
            data = {**self.get_serializer(bom).data, **data}
        return Response(self.output(self.write(data, bom=bom)))

    @extend_schema(
        request=BomContentInput,
        responses={200: BomSerializer, 201: BomSerializer},
        parameters=[
            OpenApiParameter("product", str, OpenApiParameter.PATH),
            OpenApiParameter("version", int, OpenApiParameter.PATH),
        ],
    )
    @action(
        detail=False,
        methods=["put"],
        url_path=r"by-code/(?P<product>[^/]+)/(?P<version>[0-9]+)",
        permission_classes=[HasPerm("materials.add_bom", "materials.change_bom")],
    )
    def upsert(self, request, product=None, version=None):
        """The ERP's BOM by product code and version: created or replaced (lines and all);
        the same body sent again changes nothing."""
        body = request.data if isinstance(request.data, dict) else {}
        serializer = BomInputSerializer(data={**body, "product": product, "version": version})
        serializer.is_valid(raise_exception=True)
        bom, created = bom_upsert(
            **serializer.validated_data, actor=request.user, device=request.device_id
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self.output(bom), status=code)

    def perform_destroy(self, instance):
        bom_delete(bom=instance, actor=self.request.user, device=self.request.device_id)

    def write(self, data, bom=None):
        serializer = BomInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        return bom_save(
            **serializer.validated_data,
            bom=bom,
            actor=self.request.user,
            device=self.request.device_id,
        )

    def output(self, bom):
        return self.get_serializer(self.get_queryset().get(pk=bom.pk)).data
