from django.urls import path

from approvals import views

app_name = "approvals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("bulk-approve/", views.bulk_approve, name="bulk_approve"),
    path("steps/<int:pk>/<str:decision>/", views.step_decide, name="decide"),
]
