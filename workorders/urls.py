from django.urls import path

from workorders import issue_views, plan_views, views

app_name = "workorders"
urlpatterns = [
    path("", views.work_order_list, name="list"),
    path("new/", plan_views.work_order_new, name="new"),
    path("<int:pk>/", views.work_order_detail, name="detail"),
    path("<int:pk>/release/", plan_views.work_order_release_page, name="release"),
    path("<int:pk>/report-output/", views.work_order_report_output, name="report_output"),
    path("<int:pk>/complete/", views.work_order_complete, name="complete"),
    path("<int:pk>/receive-output/", views.work_order_receive_output, name="receive_output"),
    path("<int:pk>/sign-off/", views.work_order_sign_off, name="sign_off"),
    path("<int:pk>/declare-leftover/", views.work_order_declare_leftover, name="declare_leftover"),
    path("<int:pk>/carry-over/", views.work_order_carry_over, name="carry_over"),
    path("<int:pk>/close/", views.work_order_close, name="close"),
    path("<int:pk>/issue/", issue_views.work_order_issue_page, name="issue"),
]
