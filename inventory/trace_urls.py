from django.urls import path

from inventory import trace_views

app_name = "traceability"
urlpatterns = [
    path("", trace_views.trace_search, name="search"),
    path("work-orders/<int:pk>/", trace_views.work_order_lots, name="work_order_lots"),
]
