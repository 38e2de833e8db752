import django_filters
from django.utils.translation import gettext_lazy as _

from core.api.filters import CodeFilter, MomentFilter
from inventory.models import LedgerEntry, Lot, Serial, StockBalance
from materials.models import Location


class LocationFilter(django_filters.FilterSet):
    warehouse = django_filters.CharFilter(field_name="warehouse__code")

    class Meta:
        model = Location
        fields = ["code", "kind", "is_active", "warehouse"]


class LotFilter(django_filters.FilterSet):
    material = CodeFilter(field_name="material")
    expiring_before = django_filters.DateFilter(field_name="expiry_date", lookup_expr="lte")
    updated_since = MomentFilter(field_name="updated_at", lookup_expr="gte")
    supplier = django_filters.CharFilter(field_name="supplier__code")

    class Meta:
        model = Lot
        fields = ["material", "batch_no", "inspection_status", "supplier"]


class SerialFilter(django_filters.FilterSet):
    material = CodeFilter(field_name="material")
    lot = django_filters.CharFilter(field_name="lot__batch_no")
    location = django_filters.CharFilter(field_name="location__code")

    class Meta:
        model = Serial
        fields = ["material", "lot", "serial_no", "status", "location"]


class BalanceFilter(django_filters.FilterSet):
    material = CodeFilter(field_name="material")
    lot = django_filters.CharFilter(field_name="lot__batch_no")
    location = django_filters.CharFilter(field_name="location__code")
    warehouse = django_filters.CharFilter(field_name="location__warehouse__code")
    in_stock = django_filters.BooleanFilter(
        field_name="quantity", lookup_expr="gt", method="filter_in_stock"
    )

    class Meta:
        model = StockBalance
        fields = ["material", "lot", "location", "warehouse", "in_stock"]

    def filter_in_stock(self, queryset, name, value):
        return queryset.filter(quantity__gt=0) if value else queryset.filter(quantity=0)


class LedgerFilter(django_filters.FilterSet):
    """Codes are resolved to ids first (``CodeFilter``): with the ledger's (key, id)
    indexes a page of one material is an index range at any ledger size (issue #17)."""

    since_id = django_filters.NumberFilter(field_name="id", lookup_expr="gt")
    since = MomentFilter(field_name="created_at", lookup_expr="gte")
    until = MomentFilter(field_name="created_at", lookup_expr="lt")
    # The day the material really moved (R-L6), both days included.
    posted_from = django_filters.DateFilter(
        field_name="posting_date", lookup_expr="gte", label=_("Posted from")
    )
    posted_to = django_filters.DateFilter(
        field_name="posting_date", lookup_expr="lte", label=_("Posted up to")
    )
    material = CodeFilter(field_name="material")
    lot = CodeFilter(field_name="lot", code="batch_no")
    location = CodeFilter(field_name="location")
    work_order = CodeFilter(field_name="work_order", code="number")
    workshop = CodeFilter(field_name="work_order__workshop")

    class Meta:
        model = LedgerEntry
        fields = [
            "movement_type",
            "doc_type",
            "doc_id",
            "material",
            "lot",
            "location",
            "work_order",
        ]
