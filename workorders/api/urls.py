from workorders.api import views

routes = [
    ("production-lines", views.ProductionLineViewSet, "productionline"),
    ("work-orders", views.WorkOrderViewSet, "workorder"),
    ("material-issues", views.MaterialIssueViewSet, "materialissue"),
]
