from django.urls import path

from reports import trace_views

app_name = "reports"
urlpatterns = [
    path("trace/", trace_views.trace_search, name="trace"),
    path(
        "trace/work-orders/<int:pk>/",
        trace_views.work_order_lots,
        name="trace_work_order_lots",
    ),
]
