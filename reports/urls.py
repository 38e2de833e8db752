"""Pages of the reports app: exports (under /finance/, beside finance's month-end pages),
traceability (under /trace/) and the supplier quality scorecard (under /reports/)."""

from django.urls import path

from reports import supplier_views, trace_views, views

app_name = "reports"
urlpatterns = [
    path("finance/exports/", views.exports_page, name="exports"),
    path("finance/exports/start/", views.export_start, name="export_start"),
    path("finance/exports/<int:pk>/", views.export_status, name="export_status"),
    path("reports/suppliers/", supplier_views.supplier_quality, name="supplier_quality"),
    path(
        "reports/suppliers/<str:code>/",
        supplier_views.supplier_quality_detail,
        name="supplier_quality_detail",
    ),
    path("trace/", trace_views.trace_search, name="trace"),
    path(
        "trace/work-orders/<int:pk>/",
        trace_views.work_order_lots,
        name="trace_work_order_lots",
    ),
]
