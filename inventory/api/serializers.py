from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from core.api.fields import CodeField, QuantityInput
from inventory.api.fields import posting_date_input, resolve_lot
from inventory.models import InspectionStatus, LedgerEntry, Lot, Serial, StockBalance
from inventory.scanning import lot_stock_scanned, scan_item, scan_location
from materials.models import Location, Material, Supplier, Warehouse, WarehouseCategory

MATERIALS = Material.objects.select_related("uom")
LOCATIONS = Location.objects.all()
SUPPLIERS = Supplier.objects.filter(is_active=True)


class WarehouseCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = WarehouseCategory
        fields = ["id", "code", "name"]


class WarehouseSerializer(serializers.ModelSerializer):
    category = CodeField(WarehouseCategory.objects.all())

    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "category"]


class LocationSerializer(serializers.ModelSerializer):
    warehouse = CodeField(Warehouse.objects.all())

    class Meta:
        model = Location
        fields = ["id", "code", "name", "warehouse", "kind", "is_active"]


class LotSerializer(serializers.ModelSerializer):
    material = serializers.CharField(source="material.code", read_only=True)
    supplier = serializers.CharField(source="supplier.code", read_only=True, default=None)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True, default=None)
    is_expired = serializers.SerializerMethodField()

    class Meta:
        model = Lot
        fields = [
            "id",
            "material",
            "batch_no",
            "production_date",
            "expiry_date",
            "is_expired",
            "supplier",
            "supplier_name",
            "certificate_no",
            "inspection_status",
            "storage_conditions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_expired(self, lot) -> bool:
        return lot.is_expired()


class SerialSerializer(serializers.ModelSerializer):
    material = serializers.CharField(source="material.code", read_only=True)
    lot = serializers.CharField(source="lot.batch_no", read_only=True)
    location = serializers.CharField(source="location.code", read_only=True, default=None)

    class Meta:
        model = Serial
        fields = ["id", "material", "lot", "serial_no", "status", "location", "updated_at"]


class BalanceSerializer(serializers.ModelSerializer):
    material = serializers.CharField(source="material.code", read_only=True)
    lot = serializers.CharField(source="lot.batch_no", read_only=True, default=None)
    location = serializers.CharField(source="location.code", read_only=True)

    class Meta:
        model = StockBalance
        fields = ["id", "material", "lot", "location", "quantity", "updated_at"]


class AsOfQuery(serializers.Serializer):
    as_of = serializers.DateField(help_text="Stock at the end of this day (YYYY-MM-DD).")


class BalanceAsOfSerializer(serializers.Serializer):
    """A row of ``inventory.selectors.stock_as_of``: the stock of a key at the end of a day."""

    material = serializers.CharField(source="material__code")
    lot = serializers.CharField(source="lot__batch_no", allow_null=True)
    location = serializers.CharField(source="location__code")
    quantity = serializers.DecimalField(max_digits=16, decimal_places=4)


class LedgerEntrySerializer(serializers.ModelSerializer):
    material = serializers.CharField(source="material.code", read_only=True)
    lot = serializers.CharField(source="lot.batch_no", read_only=True, default=None)
    serial = serializers.CharField(source="serial.serial_no", read_only=True, default=None)
    location = serializers.CharField(source="location.code", read_only=True)
    work_order = serializers.CharField(source="work_order.number", read_only=True, default=None)
    user = serializers.CharField(source="actor.username", read_only=True, default=None)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "material",
            "lot",
            "serial",
            "location",
            "quantity",
            "movement_type",
            "work_order",
            "doc_type",
            "doc_id",
            "doc_line",
            "remark",
            "user",
            "device_id",
            "created_at",
            "posting_date",
        ]


class InspectionInput(serializers.Serializer):
    inspection_status = serializers.ChoiceField(choices=InspectionStatus.choices)


class LotFieldsInput(serializers.Serializer):
    production_date = serializers.DateField(required=False, allow_null=True)
    expiry_date = serializers.DateField(required=False, allow_null=True)
    supplier = CodeField(
        SUPPLIERS, required=False, allow_null=True, help_text="The supplier's code (R-S1)."
    )
    certificate_no = serializers.CharField(max_length=64, required=False, allow_blank=True)
    inspection_status = serializers.ChoiceField(choices=InspectionStatus.choices, required=False)
    storage_conditions = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ReceiveInput(serializers.Serializer):
    material = CodeField(MATERIALS)
    location = CodeField(LOCATIONS)
    quantity = QuantityInput()
    batch_no = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    lot_fields = LotFieldsInput(required=False, help_text="Details of a new lot.")
    serials = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, max_length=1000
    )
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    posting_date = posting_date_input()


class TransferInput(serializers.Serializer):
    material = CodeField(MATERIALS)
    lot = serializers.CharField(max_length=64, required=False, allow_blank=True)
    from_location = CodeField(LOCATIONS)
    to_location = CodeField(LOCATIONS)
    quantity = QuantityInput()
    serials = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, max_length=1000
    )
    remark = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    posting_date = posting_date_input()

    def validate(self, attrs):
        return resolve_lot(attrs)


class AdjustInput(serializers.Serializer):
    material = CodeField(MATERIALS)
    lot = serializers.CharField(max_length=64, required=False, allow_blank=True)
    location = CodeField(LOCATIONS)
    quantity = QuantityInput(help_text="Signed: negative to write stock off.")
    reason = serializers.CharField(max_length=200)
    serials = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, max_length=1000
    )
    posting_date = posting_date_input()

    def validate(self, attrs):
        return resolve_lot(attrs)


class FefoQuery(serializers.Serializer):
    material = CodeField(MATERIALS)
    quantity = QuantityInput(min_value=0)
    warehouse = CodeField(Warehouse.objects.all(), required=False)


class FefoPickSerializer(serializers.Serializer):
    lot = serializers.CharField(source="lot.batch_no", default=None)
    expiry_date = serializers.DateField(source="lot.expiry_date", default=None)
    location = serializers.CharField(source="location.code")
    quantity = serializers.DecimalField(max_digits=16, decimal_places=4)
    on_hand = serializers.DecimalField(max_digits=16, decimal_places=4)


class FefoSerializer(serializers.Serializer):
    picks = FefoPickSerializer(many=True)
    shortfall = serializers.DecimalField(max_digits=16, decimal_places=4)


class ScanInput(serializers.Serializer):
    code = serializers.CharField(
        max_length=2000,  # the resolver refuses long codes with its own message
        allow_blank=True,
        trim_whitespace=False,
        help_text="Internal Code128 payload, slip number or GS1 string.",
    )


class ScannedField(serializers.CharField):
    """A scanned code parsed by ``inventory.scanning`` (``parse``) into rows."""

    parse = None

    def __init__(self, *, resolved=True, **kwargs):
        """``resolved=False``: the code as a string, for a serializer that resolves it in
        ``validate`` together with another (``IssueScanInput``)."""
        self.resolved = resolved
        kwargs.setdefault("max_length", 2000)  # the resolver refuses long codes itself
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        code = super().run_validation(data)  # the string checks first, then the lookup
        if code is None or not self.resolved:
            return code
        try:
            return type(self).parse(code)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class ScannedItemField(ScannedField):
    """``L:``/``S:``/``M:`` labels or a GS1 string → material, lot, serials, quantity."""

    parse = staticmethod(scan_item)

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Scanned material, lot or serial label, or a GS1 string.")
        super().__init__(**kwargs)


class ScannedLocationField(ScannedField):
    parse = staticmethod(scan_location)

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Scanned location label (LOC:…) or location code.")
        super().__init__(**kwargs)


class TransferScanInput(serializers.Serializer):
    """From a scanned location to another; the source and the label are resolved together in
    ``validate`` (a lot label and its ``LOC:`` source in one query, ``lot_stock_scanned``)."""

    from_location = ScannedLocationField(resolved=False)
    code = ScannedItemField(resolved=False)
    to_location = ScannedLocationField()
    quantity = QuantityInput(
        required=False, allow_null=True, default=None, help_text="Empty: the label's quantity."
    )
    remark = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    posting_date = posting_date_input()

    def validate(self, attrs):
        code, source = attrs.pop("code"), attrs["from_location"]
        found = lot_stock_scanned(code, attrs["quantity"], source)
        if found:
            item, attrs["from_location"] = found
        else:
            attrs["from_location"] = scan_location(source, "from_location")
            item = scan_item(code)
        return {
            **attrs,
            "material": item.material,
            "lot": item.lot,
            "serials": list(item.serials),
            "quantity": item.quantity_or(attrs["quantity"]),
        }
