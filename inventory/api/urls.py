from django.urls import path

from inventory.api import views

routes = [
    ("warehouse-categories", views.WarehouseCategoryViewSet, "warehousecategory"),
    ("warehouses", views.WarehouseViewSet, "warehouse"),
    ("locations", views.LocationViewSet, "location"),
    ("lots", views.LotViewSet, "lot"),
    ("serials", views.SerialViewSet, "serial"),
    ("balances", views.BalanceViewSet, "balance"),
    ("ledger", views.LedgerViewSet, "ledger"),
]

urlpatterns = [
    path("stock/receive/", views.ReceiveView.as_view(), name="stock-receive"),
    path("stock/transfer/", views.TransferView.as_view(), name="stock-transfer"),
    path("stock/transfer-scan/", views.TransferScanView.as_view(), name="stock-transfer-scan"),
    path("stock/adjust/", views.AdjustView.as_view(), name="stock-adjust"),
    path("stock/fefo/", views.FefoView.as_view(), name="stock-fefo"),
    path("scan/", views.ScanView.as_view(), name="scan"),
]
