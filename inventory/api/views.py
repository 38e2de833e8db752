from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.api.master_data import CodedMasterDataViewSet
from core.api.pagination import IdCursorPagination
from core.api.permissions import HasPerm
from core.api.schema import ERRORS
from core.api.token_scope import READ, TokenScope
from core.db import reader
from inventory import selectors, services
from inventory.api import filters, serializers
from inventory.models import LedgerEntry, Lot, Serial, StockBalance
from inventory.scanning import ScanNotFound, scan_resolve
from inventory.selectors import LEDGER_CODES
from materials.models import Location, Warehouse, WarehouseCategory

POST_STOCK = HasPerm("inventory.add_ledgerentry")


class WarehouseCategoryViewSet(CodedMasterDataViewSet):
    queryset = WarehouseCategory.objects.all()
    serializer_class = serializers.WarehouseCategorySerializer
    filterset_fields = ["code"]
    search_fields = ["code", "name"]


class WarehouseViewSet(CodedMasterDataViewSet):
    queryset = Warehouse.objects.select_related("category")
    serializer_class = serializers.WarehouseSerializer
    filterset_fields = ["code"]
    search_fields = ["code", "name"]


class LocationViewSet(CodedMasterDataViewSet):
    queryset = Location.objects.select_related("warehouse")
    serializer_class = serializers.LocationSerializer
    filterset_class = filters.LocationFilter
    search_fields = ["code", "name"]


class LotViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Lot.objects.select_related("material", "supplier")
    serializer_class = serializers.LotSerializer
    filterset_class = filters.LotFilter
    search_fields = ["batch_no", "material__code"]
    ordering_fields = ["expiry_date", "batch_no", "updated_at"]
    token_scope = TokenScope(integration=READ, device=READ)  # inspection: QC at a desk

    @extend_schema(request=serializers.InspectionInput, responses=serializers.LotSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="inspection",
        permission_classes=[HasPerm("inventory.change_lot")],
    )
    def inspection(self, request, pk=None):
        data = serializers.InspectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        lot = services.lot_set_inspection_status(
            lot=self.get_object(),
            status=data.validated_data["inspection_status"],
            actor=request.user,
            device=request.device_id,
        )
        return Response(serializers.LotSerializer(lot).data)


class SerialViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Serial.objects.select_related("material", "lot", "location")
    serializer_class = serializers.SerialSerializer
    filterset_class = filters.SerialFilter
    search_fields = ["serial_no"]
    token_scope = TokenScope(device=READ)


class BalanceViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = StockBalance.objects.select_related("material", "lot", "location").order_by(
        "material__code", "lot__batch_no", "location__code"
    )
    serializer_class = serializers.BalanceSerializer
    filterset_class = filters.BalanceFilter
    token_scope = TokenScope(integration={"list"}, device=READ)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "as_of",
                OpenApiTypes.DATE,
                description="Stock at the end of this day, summed from the ledger by posting "
                "date (rows then carry material, lot, location and quantity only).",
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        if "as_of" not in request.query_params:
            return super().list(request, *args, **kwargs)
        return self.list_as_of(request)

    def list_as_of(self, request):
        """``?as_of=YYYY-MM-DD``: the ledger summed up to that day (``stock_as_of``), with
        the same filters as the balances."""
        query = serializers.AsOfQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.stock_as_of(query.validated_data["as_of"])
        filterset = filters.BalanceFilter(request.query_params, queryset=rows)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(serializers.BalanceAsOfSerializer(page, many=True).data)


class LedgerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Append-only stock ledger; cursor-paginated by id for incremental ERP pulls."""

    queryset = LedgerEntry.objects.prefetch_related(*LEDGER_CODES)
    serializer_class = serializers.LedgerEntrySerializer
    filterset_class = filters.LedgerFilter
    pagination_class = IdCursorPagination
    ordering_fields = None
    token_scope = TokenScope(integration=READ, device=READ)

    def get_queryset(self):
        """ERP pulls read the replica when there is one (``core.db.reader``)."""
        return super().get_queryset().using(reader())


class StockActionView(APIView):
    """POST one stock document; the input serializer's data go straight to the service."""

    permission_classes = [POST_STOCK]
    token_scope = TokenScope(device={"post"})
    input_class = None
    service = None

    def post(self, request):
        data = self.input_class(data=request.data)
        data.is_valid(raise_exception=True)
        entries = self.service(**data.validated_data, actor=request.user, device=request.device_id)
        return Response(
            serializers.LedgerEntrySerializer(entries, many=True).data,
            status=status.HTTP_201_CREATED,
        )


ENTRIES = {201: serializers.LedgerEntrySerializer(many=True)}


@extend_schema(request=serializers.ReceiveInput, responses=ENTRIES)
class ReceiveView(StockActionView):
    input_class = serializers.ReceiveInput
    service = staticmethod(services.stock_receive)


@extend_schema(request=serializers.TransferInput, responses=ENTRIES)
class TransferView(StockActionView):
    input_class = serializers.TransferInput
    service = staticmethod(services.stock_transfer)


@extend_schema(request=serializers.AdjustInput, responses=ENTRIES)
class AdjustView(StockActionView):
    input_class = serializers.AdjustInput
    service = staticmethod(services.stock_adjust)


@extend_schema(request=serializers.TransferScanInput, responses=ENTRIES)
class TransferScanView(StockActionView):
    """Move stock by scanning: from-location, the material/lot/serial label, to-location."""

    input_class = serializers.TransferScanInput
    service = staticmethod(services.stock_transfer)


class ScanView(APIView):
    """Resolve any scanned code: what it is, its stock or state, and the next actions."""

    token_scope = TokenScope(device={"post"})

    @extend_schema(
        request=serializers.ScanInput,
        responses={200: OpenApiTypes.OBJECT, 404: ERRORS["404"]},
    )
    def post(self, request):
        data = serializers.ScanInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            return Response(scan_resolve(data.validated_data["code"]))
        except ScanNotFound as error:
            raise NotFound(error.message) from error


class FefoView(APIView):
    """Which lots and locations to pick first (first expired, first out)."""

    token_scope = TokenScope(device={"get"})

    @extend_schema(parameters=[serializers.FefoQuery], responses=serializers.FefoSerializer)
    def get(self, request):
        query = serializers.FefoQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        picks, shortfall = selectors.fefo_suggestion(**query.validated_data)
        return Response(serializers.FefoSerializer({"picks": picks, "shortfall": shortfall}).data)
