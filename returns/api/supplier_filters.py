"""Filters of supplier returns (R-S2), shared by the list page and the API."""

import django_filters

from core.api.filters import MomentFilter
from returns.models import SupplierReturn


class SupplierReturnFilter(django_filters.FilterSet):
    supplier = django_filters.CharFilter(field_name="supplier__code")
    posted_after = MomentFilter(field_name="posted_at", lookup_expr="gte")
    posted_before = MomentFilter(field_name="posted_at", lookup_expr="lt")

    class Meta:
        model = SupplierReturn
        fields = ["number", "state", "supplier"]
