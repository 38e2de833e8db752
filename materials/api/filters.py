from django_filters import rest_framework as filters

from core.api.filters import MomentFilter
from materials.models import Bom, Material, Supplier


class UpdatedSinceFilterSet(filters.FilterSet):
    """Incremental pulls: rows changed at or after a moment (ISO 8601)."""

    updated_since = MomentFilter(field_name="updated_at", lookup_expr="gte")


class MaterialFilter(UpdatedSinceFilterSet):
    category = filters.CharFilter(field_name="category__code")
    warehouse_category = filters.CharFilter(field_name="warehouse_category__code")

    class Meta:
        model = Material
        fields = ["code", "approval_class", "tracking", "is_active"]


class BomFilter(UpdatedSinceFilterSet):
    product = filters.CharFilter(field_name="product__code")

    class Meta:
        model = Bom
        fields = ["is_active"]


class SupplierFilter(UpdatedSinceFilterSet):
    active = filters.BooleanFilter(field_name="is_active")

    class Meta:
        model = Supplier
        fields = ["code"]
