from django.urls import include, path

from returns import slip_views, views

request_patterns = [
    path("new/return/", views.request_new, {"kind": "return"}, name="new_return"),
    path("new/replenish/", views.request_new, {"kind": "replenish"}, name="new_replenish"),
    path("mine/", views.my_requests, name="my_requests"),
    path("qc/", views.qc_list, name="qc_list"),
    path("qc/<int:pk>/", views.qc_verdict, name="qc_verdict"),
    path("receiving/", views.receiving, name="receiving"),
    path("replenishments/<int:pk>/issue/", views.replenish_issue, name="replenish_issue"),
    path("shortages/", views.shortages, name="shortages"),
    path("shortages/<int:pk>/fulfil/", views.shortage_fulfil, name="shortage_fulfil"),
    # after the fixed prefixes: the kind is "return" or "replenish"
    path("<str:kind>/<int:pk>/", views.request_detail, name="request_detail"),
    path("<str:kind>/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path(
        "<str:kind>/<int:pk>/attachments/<int:attachment>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "<str:kind>/<int:pk>/attachments/<int:attachment>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path("<str:kind>/<int:pk>/<str:action>/", views.request_action, name="request_action"),
]

app_name = "returns"
urlpatterns = [
    path("requests/", include(request_patterns)),
    path("print/slips/<str:number>/", slip_views.slip_print, name="slip_print"),
]
