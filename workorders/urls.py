from django.urls import path

from workorders import views

app_name = "workorders"
urlpatterns = [
    path("", views.work_order_list, name="list"),
    path("<int:pk>/", views.work_order_detail, name="detail"),
    path("<int:pk>/report-output/", views.work_order_report_output, name="report_output"),
    path("<int:pk>/complete/", views.work_order_complete, name="complete"),
    path("<int:pk>/receive-output/", views.work_order_receive_output, name="receive_output"),
    path("<int:pk>/sign-off/", views.work_order_sign_off, name="sign_off"),
    path("<int:pk>/declare-leftover/", views.work_order_declare_leftover, name="declare_leftover"),
    path("<int:pk>/close/", views.work_order_close, name="close"),
]
