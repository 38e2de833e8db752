from returns.api import views
from returns.api.supplier_returns import SupplierReturnViewSet

routes = [
    ("reasons", views.ReasonCodeViewSet, "reason"),
    ("returns", views.ReturnRequestViewSet, "return"),
    ("replenishments", views.ReplenishRequestViewSet, "replenishment"),
    ("shortages", views.ShortageSlipViewSet, "shortage"),
    ("supplier-returns", SupplierReturnViewSet, "supplier-return"),
]
urlpatterns = []
