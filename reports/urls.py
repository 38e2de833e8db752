"""The exports page (mounted at /finance/, beside finance's month-end pages)."""

from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("exports/", views.exports_page, name="exports"),
    path("exports/start/", views.export_start, name="export_start"),
    path("exports/<int:pk>/", views.export_status, name="export_status"),
]
