"""Admin for stock: lots, serials, ledger entries and balances are written only by
``inventory.services``, posting periods only by ``inventory.periods``, so the admin shows
them read-only. Warehouses and locations are master data, edited in ``materials.admin``.
"""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from inventory.models import LedgerEntry, Lot, PostingPeriod, Serial, StockBalance


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = [
        "material",
        "batch_no",
        "production_date",
        "expiry_date",
        "inspection_status",
        "supplier",
        "updated_at",
    ]
    list_filter = ["inspection_status", "expiry_date"]
    list_select_related = ["material", "supplier"]
    search_fields = [
        "batch_no",
        "material__code",
        "material__name",
        "supplier__code",
        "supplier__name",
        "certificate_no",
    ]
    date_hierarchy = "created_at"
    raw_id_fields = ["material", "supplier"]


@admin.register(Serial)
class SerialAdmin(ReadOnlyAdmin):
    list_display = ["serial_no", "material", "lot", "status", "location", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["material", "lot__material", "location"]
    search_fields = ["serial_no", "material__code", "lot__batch_no"]
    date_hierarchy = "updated_at"
    raw_id_fields = ["material", "lot", "location"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "created_at",
        "posting_date",
        "movement_type",
        "material",
        "lot",
        "serial",
        "location",
        "quantity",
        "doc_type",
        "doc_id",
        "doc_line",
        "work_order",
        "actor",
        "device_id",
    ]
    list_filter = ["movement_type", "location__warehouse"]
    list_select_related = ["material", "lot__material", "serial", "location", "work_order", "actor"]
    search_fields = [
        "doc_id",
        "material__code",
        "lot__batch_no",
        "serial__serial_no",
        "work_order__number",
        "device_id",
    ]
    date_hierarchy = "created_at"
    ordering = ["-id"]
    raw_id_fields = ["material", "lot", "serial", "location", "work_order", "actor"]
    show_full_result_count = False  # the ledger grows without bound: skip the extra COUNT


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdmin):
    list_display = ["material", "lot", "location", "quantity", "updated_at"]
    list_filter = ["location__warehouse", "location__kind"]
    list_select_related = ["material", "lot__material", "location"]
    search_fields = ["material__code", "material__name", "lot__batch_no", "location__code"]
    date_hierarchy = "updated_at"
    raw_id_fields = ["material", "lot", "location"]


@admin.register(PostingPeriod)
class PostingPeriodAdmin(ReadOnlyAdmin):
    """Finance locks and reopens a month on its month-end page (``finance.month_end``)."""

    list_display = ["month", "state", "locked_by", "locked_at"]
    list_filter = ["state"]
    list_select_related = ["locked_by"]
