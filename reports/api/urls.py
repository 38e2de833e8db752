from reports.api import views

routes = [
    ("exports", views.ExportJobViewSet, "export"),
]
urlpatterns = []
