from returns.api import disposals, views

routes = [
    ("reasons", views.ReasonCodeViewSet, "reason"),
    ("returns", views.ReturnRequestViewSet, "return"),
    ("replenishments", views.ReplenishRequestViewSet, "replenishment"),
    ("shortages", views.ShortageSlipViewSet, "shortage"),
    ("scrap-disposals", disposals.ScrapDisposalViewSet, "scrap-disposal"),
]
urlpatterns = []
