from django.urls import path, re_path

from inventory import views

app_name = "print"
urlpatterns = [
    path("labels/", views.label_sheet, name="labels"),
    path("labels/new/", views.label_form, name="label_form"),
    re_path(r"^labels/barcode\.(?P<fmt>svg|png)$", views.barcode_image, name="barcode"),
]
