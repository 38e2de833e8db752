from returns.api import disposals, nonconforming, views
from returns.api.supplier_returns import SupplierReturnViewSet

routes = [
    ("reasons", views.ReasonCodeViewSet, "reason"),
    ("returns", views.ReturnRequestViewSet, "return"),
    ("replenishments", views.ReplenishRequestViewSet, "replenishment"),
    ("shortages", views.ShortageSlipViewSet, "shortage"),
    ("nonconforming", nonconforming.NonconformingViewSet, "nonconforming"),
    ("scrap-disposals", disposals.ScrapDisposalViewSet, "scrap-disposal"),
    ("supplier-returns", SupplierReturnViewSet, "supplier-return"),
]
urlpatterns = []
