from returns.api import disposals, nonconforming, views

routes = [
    ("reasons", views.ReasonCodeViewSet, "reason"),
    ("returns", views.ReturnRequestViewSet, "return"),
    ("replenishments", views.ReplenishRequestViewSet, "replenishment"),
    ("shortages", views.ShortageSlipViewSet, "shortage"),
    ("nonconforming", nonconforming.NonconformingViewSet, "nonconforming"),
    ("scrap-disposals", disposals.ScrapDisposalViewSet, "scrap-disposal"),
]
urlpatterns = []
