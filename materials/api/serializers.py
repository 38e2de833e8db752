from decimal import Decimal

from rest_framework import serializers

from core.api.fields import CodeField
from materials.models import (
    Bom,
    Location,
    Material,
    MaterialCategory,
    Supplier,
    UnitOfMeasure,
    WarehouseCategory,
)
from org.api.permissions import HidesCosts


class UnitOfMeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitOfMeasure
        fields = ["id", "code", "name", "whole_units"]


class MaterialCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = MaterialCategory
        fields = ["id", "code", "name", "approval_class"]


class SupplierSerializer(serializers.ModelSerializer):
    """A supplier (R-S1) as the ERP sends and reads it; the code is its key."""

    class Meta:
        model = Supplier
        fields = ["id", "code", "name", "contact", "phone", "email", "is_active", "updated_at"]
        read_only_fields = ["updated_at"]


class MaterialSerializer(HidesCosts, serializers.ModelSerializer):
    cost_fields = ("standard_cost",)
    uom = CodeField(UnitOfMeasure.objects.all())
    category = CodeField(MaterialCategory.objects.all())
    warehouse_category = CodeField(WarehouseCategory.objects.all())
    default_location = CodeField(Location.objects.all(), allow_null=True, required=False)
    safety_stock = serializers.DecimalField(max_digits=None, decimal_places=4, read_only=True)

    class Meta:
        model = Material
        fields = [
            "id",
            "code",
            "name",
            "specification",
            "uom",
            "category",
            "approval_class",
            "warehouse_category",
            "standard_cost",
            "tracking",
            "shelf_life_days",
            "inspect_on_return",
            "default_location",
            "gtin",
            "lead_time_days",
            "emergency_purchase_days",
            "daily_usage",
            "safety_stock",
            "is_active",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        extra_kwargs = {"approval_class": {"required": False}}

    def validate(self, attrs):
        if self.instance is None and "approval_class" not in attrs:
            attrs["approval_class"] = attrs["category"].approval_class  # R-A1 suggestion
        return attrs


class BomLineSerializer(serializers.Serializer):
    material = CodeField(Material.objects.all())
    qty_per_unit = serializers.DecimalField(max_digits=16, decimal_places=6)
    loss_pct = serializers.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))


class BomContentInput(serializers.Serializer):
    """A BOM version's content; product and version come from the upsert's URL."""

    is_active = serializers.BooleanField(default=True)
    note = serializers.CharField(max_length=200, allow_blank=True, default="")
    lines = BomLineSerializer(many=True, max_length=1000)


class BomInputSerializer(BomContentInput):
    """A whole BOM version as ``materials.services.bom_save`` takes it."""

    product = CodeField(Material.objects.all())
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class BomSerializer(serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lines = BomLineSerializer(many=True, read_only=True)

    class Meta:
        model = Bom
        fields = [
            "id",
            "product",
            "version",
            "is_active",
            "note",
            "lines",
            "created_at",
            "updated_at",
        ]
