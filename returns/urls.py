from django.urls import include, path

from returns.views import detail, disposals, drafting, lists, nonconforming, slips, warehouse

request_patterns = [
    path("new/return/", drafting.request_new, {"kind": "return"}, name="new_return"),
    path("new/replenish/", drafting.request_new, {"kind": "replenish"}, name="new_replenish"),
    path("mine/", detail.my_requests, name="my_requests"),
    path("qc/", warehouse.qc_list, name="qc_list"),
    path("qc/<int:pk>/", warehouse.qc_verdict, name="qc_verdict"),
    path("qc/<int:pk>/reject/", warehouse.qc_reject, name="qc_reject"),
    path("receiving/", warehouse.receiving, name="receiving"),
    path("receiving/<int:pk>/refuse/", warehouse.receiving_refuse, name="receiving_refuse"),
    path("replenishments/<int:pk>/issue/", warehouse.replenish_issue, name="replenish_issue"),
    path("shortages/", warehouse.shortages, name="shortages"),
    path("shortages/<int:pk>/fulfil/", warehouse.shortage_fulfil, name="shortage_fulfil"),
    # after the fixed prefixes: the kind is "return" or "replenish"
    path("<str:kind>/<int:pk>/", detail.request_detail, name="request_detail"),
    path("<str:kind>/<int:pk>/attachments/", detail.attachment_add, name="attachment_add"),
    path(
        "<str:kind>/<int:pk>/attachments/<int:attachment>/",
        detail.attachment_download,
        name="attachment_download",
    ),
    path(
        "<str:kind>/<int:pk>/attachments/<int:attachment>/remove/",
        detail.attachment_remove,
        name="attachment_remove",
    ),
    path("<str:kind>/<int:pk>/lines/", detail.line_add, name="line_add"),
    path(
        "<str:kind>/<int:pk>/lines/<int:line>/<str:action>/",
        detail.line_edit,
        name="line_edit",
    ),
    path("<str:kind>/<int:pk>/<str:action>/", detail.request_action, name="request_action"),
]

app_name = "returns"
urlpatterns = [
    path("requests/", include(request_patterns)),
    path("print/slips/<str:number>/", slips.slip_print, name="slip_print"),
]

# Lists for every role (issue #15): filters, search by number, pagination.
urlpatterns += [
    path("returns/", lists.return_list, name="return_list"),
    path("replenishments/", lists.replenish_list, name="replenish_list"),
    path("shortage-slips/", lists.shortage_list, name="shortage_list"),
]

# Nonconforming-material records (不合格品处理单, R-R9).
urlpatterns += [
    path("nonconforming/", nonconforming.nonconforming_list, name="nonconforming_list"),
    path(
        "nonconforming/<int:pk>/", nonconforming.nonconforming_detail, name="nonconforming_detail"
    ),
]

# Scrap disposals (报废单, R-D1).
urlpatterns += [
    path("scrap-disposals/", disposals.disposal_list, name="disposal_list"),
    path("scrap-disposals/new/", disposals.disposal_new, name="disposal_new"),
    path("scrap-disposals/<int:pk>/", disposals.disposal_detail, name="disposal_detail"),
    path(
        "scrap-disposals/<int:pk>/<str:action>/",
        disposals.disposal_action,
        name="disposal_action",
    ),
    path("print/disposals/<str:number>/", disposals.disposal_print, name="disposal_print"),
]
