from reports.api import views

routes = [
    ("exports", views.ExportJobViewSet, "export"),
    ("month-ends", views.MonthEndViewSet, "month-end"),
]
urlpatterns = []
