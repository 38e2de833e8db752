from returns.api import nonconforming, views

routes = [
    ("reasons", views.ReasonCodeViewSet, "reason"),
    ("returns", views.ReturnRequestViewSet, "return"),
    ("replenishments", views.ReplenishRequestViewSet, "replenishment"),
    ("shortages", views.ShortageSlipViewSet, "shortage"),
    ("nonconforming", nonconforming.NonconformingViewSet, "nonconforming"),
]
urlpatterns = []
