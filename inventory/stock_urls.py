"""The warehouse's stock pages (under /stock/)."""

from django.urls import path

from inventory import balances_page, inspection_page, stock_views

app_name = "stock"
urlpatterns = [
    path("receive/", stock_views.receive, name="receive"),
    path("transfer/", stock_views.transfer, name="transfer"),
    path("adjust/", stock_views.adjust, name="adjust"),
    path("balances/", balances_page.balance_list, name="balances"),
    path("lots/inspection/", inspection_page.lot_inspection, name="lot_inspection"),
]
