from workorders.api import views

routes = [
    ("workshops", views.WorkshopViewSet, "workshop"),
    ("production-lines", views.ProductionLineViewSet, "productionline"),
    ("work-orders", views.WorkOrderViewSet, "workorder"),
    ("material-issues", views.MaterialIssueViewSet, "materialissue"),
]
