from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import CodeField, QuantityInput
from inventory.api.fields import posting_date_input, resolve_lot
from inventory.api.serializers import ScannedItemField, ScannedLocationField
from inventory.scanning import lot_stock_scanned, scan_item, scan_location, source_location
from materials.models import Bom, Location, Material
from org.models import Workshop
from workorders.models import (
    LeftoverCarryOver,
    LeftoverDeclaration,
    MaterialIssue,
    OutputReport,
    ProductionLine,
    SignOff,
    SignOffRole,
    WorkOrder,
)
from workorders.services.issuing import IssueLine

BOM_UNKNOWN = _("Product %(product)s has no BOM version %(version)s.")


class ProductionLineSerializer(serializers.ModelSerializer):
    workshop = CodeField(Workshop.objects.all())
    line_side_location = CodeField(Location.objects.all(), required=False, allow_null=True)

    class Meta:
        model = ProductionLine
        fields = ["id", "code", "name", "workshop", "line_side_location"]


class LineProgressSerializer(serializers.Serializer):
    material = serializers.CharField(source="material.code")
    material_name = serializers.CharField(source="material.name")
    qty_per_unit = serializers.DecimalField(max_digits=16, decimal_places=6)
    loss_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    required_qty = serializers.DecimalField(max_digits=16, decimal_places=4)
    loss_allowance_qty = serializers.DecimalField(max_digits=16, decimal_places=4)
    issued = serializers.DecimalField(source="progress.issued", max_digits=16, decimal_places=4)
    returned = serializers.DecimalField(source="progress.returned", max_digits=16, decimal_places=4)
    replenished = serializers.DecimalField(
        source="progress.replenished", max_digits=16, decimal_places=4
    )
    consumed = serializers.DecimalField(source="progress.consumed", max_digits=16, decimal_places=4)
    remaining_to_issue = serializers.DecimalField(
        source="progress.remaining_to_issue", max_digits=16, decimal_places=4
    )


class WorkOrderSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product.code")
    bom_version = serializers.IntegerField(source="bom.version")
    workshop = serializers.CharField(source="workshop.code")
    line = serializers.CharField(source="line.code", default=None)
    lines = LineProgressSerializer(many=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "product",
            "bom_version",
            "planned_qty",
            "workshop",
            "line",
            "planned_start",
            "planned_end",
            "status",
            "released_at",
            "completed_at",
            "closed_at",
            "created_at",
            "updated_at",
            "lines",
        ]


class WorkOrderPlanInput(serializers.Serializer):
    """A work order's plan; the number comes from the upsert's URL."""

    product = CodeField(Material.objects.all())
    bom_version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    planned_qty = QuantityInput()
    workshop = CodeField(Workshop.objects.all())
    line = CodeField(ProductionLine.objects.all(), required=False, allow_null=True)
    planned_start = serializers.DateField(required=False, allow_null=True)
    planned_end = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs):
        version = attrs.pop("bom_version")
        bom = Bom.objects.filter(product=attrs["product"], version=version).first()
        if bom is None:
            raise serializers.ValidationError(
                {
                    "bom_version": BOM_UNKNOWN
                    % {"product": attrs["product"].code, "version": version}
                }
            )
        attrs["bom"] = bom
        return attrs


class WorkOrderInput(WorkOrderPlanInput):
    number = serializers.CharField(max_length=40)


class IssueLineInput(serializers.Serializer):
    material = CodeField(Material.objects.select_related("uom"))
    quantity = QuantityInput()
    location = CodeField(Location.objects.all())
    lot = serializers.CharField(max_length=64, required=False, allow_blank=True)
    serials = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, max_length=1000
    )

    def validate(self, attrs):
        return IssueLine(**resolve_lot(attrs))


class IssueInput(serializers.Serializer):
    lines = IssueLineInput(many=True, allow_empty=False, max_length=200)
    borrowed = serializers.BooleanField(default=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    posting_date = posting_date_input()


class IssueScanInput(serializers.Serializer):
    """One scan at the line side: the label, the quantity and (optionally) where from. The
    two codes are resolved together in ``validate``: a lot label with where it is stocked in
    one query (``lot_stock_scanned``), anything else one by one."""

    code = ScannedItemField(resolved=False)
    quantity = QuantityInput(
        required=False, allow_null=True, default=None, help_text="Empty: the label's quantity."
    )
    location = ScannedLocationField(
        resolved=False,
        required=False,
        allow_null=True,
        default=None,
        help_text="Empty: the serial's location, or the one usable location holding enough.",
    )
    borrowed = serializers.BooleanField(default=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    posting_date = posting_date_input()

    def validate(self, attrs):
        code, quantity, location = attrs.pop("code"), attrs.pop("quantity"), attrs.pop("location")
        found = lot_stock_scanned(code, quantity, location)
        if found:
            item, location = found
        else:
            item = scan_item(code)
            quantity = item.quantity_or(quantity)
            location = scan_location(location) if location else source_location(item, quantity)
        line = IssueLine(item.material, quantity, location, item.lot, item.serials)
        return {**attrs, "lines": [line]}


class OutputInput(serializers.Serializer):
    good_qty = QuantityInput(min_value=0)
    scrap_qty = QuantityInput(min_value=0, default=0)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RegulariseInput(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class MaterialIssueSerializer(serializers.ModelSerializer):
    work_order = serializers.CharField(source="work_order.number")
    issued_by = serializers.CharField(source="issued_by.username")

    class Meta:
        model = MaterialIssue
        fields = [
            "id",
            "number",
            "work_order",
            "is_borrowed",
            "due_at",
            "regularised_at",
            "note",
            "issued_by",
            "created_at",
        ]


class OutputReportSerializer(serializers.ModelSerializer):
    reported_by = serializers.CharField(source="reported_by.username")

    class Meta:
        model = OutputReport
        fields = ["id", "good_qty", "scrap_qty", "note", "reported_by", "created_at"]


# ---------------------------------------------------------------------------- close-out (R-W4)


class ReceiveOutputInput(serializers.Serializer):
    location = CodeField(Location.objects.all())
    quantity = QuantityInput()
    batch_no = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    serials = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, max_length=1000
    )


class SignOffInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=SignOffRole.choices)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class DeclareLeftoverInput(serializers.Serializer):
    """R-W6: the quantity used up is required (it counts as over-quota consumption)."""

    material = CodeField(Material.objects.all())
    quantity = QuantityInput()
    note = serializers.CharField(max_length=300)


class CarryOverInput(serializers.Serializer):
    """R-W6: the leftover of ``material`` registered for next use on ``to_work_order``."""

    material = CodeField(Material.objects.all())
    to_work_order = serializers.SlugRelatedField(
        slug_field="number", queryset=WorkOrder.objects.all()
    )
    quantity = QuantityInput()


class LeftoverCarryOverSerializer(serializers.ModelSerializer):
    work_order = serializers.CharField(source="work_order.number")
    to_work_order = serializers.CharField(source="to_work_order.number")
    material = serializers.CharField(source="material.code")
    carried_by = serializers.CharField(source="carried_by.username")

    class Meta:
        model = LeftoverCarryOver
        fields = [
            "id",
            "number",
            "work_order",
            "to_work_order",
            "material",
            "quantity",
            "borrowed",
            "carried_by",
            "carried_at",
        ]


class SignOffSerializer(serializers.ModelSerializer):
    work_order = serializers.CharField(source="work_order.number")
    signed_by = serializers.CharField(source="signed_by.username")

    class Meta:
        model = SignOff
        fields = ["id", "work_order", "role", "note", "signed_by", "signed_at"]


class LeftoverDeclarationSerializer(serializers.ModelSerializer):
    work_order = serializers.CharField(source="work_order.number")
    material = serializers.CharField(source="material.code")
    declared_by = serializers.CharField(source="declared_by.username")

    class Meta:
        model = LeftoverDeclaration
        fields = [
            "id",
            "work_order",
            "material",
            "quantity",
            "note",
            "declared_by",
            "declared_at",
        ]


def plain(value):
    """Quantities as the API writes them elsewhere (strings), containers walked."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


class CheckDetailField(serializers.JSONField):
    def to_representation(self, value):
        return super().to_representation(plain(value))


class ChecklistItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    ok = serializers.BooleanField()
    detail = CheckDetailField(help_text="What was checked; its shape depends on the item.")


class CloseoutSerializer(serializers.Serializer):
    work_order = serializers.CharField(source="work_order.number")
    status = serializers.CharField(source="work_order.status")
    items = ChecklistItemSerializer(many=True)
    can_close = serializers.BooleanField()
    leftover_deadline = serializers.DateTimeField(allow_null=True)
    leftover_overdue = serializers.BooleanField()


class CloseOutBlockedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    open_items = ChecklistItemSerializer(
        many=True,
        help_text="The close-out items still open; empty when the work order's state refuses.",
    )
