from django.urls import path, re_path

from inventory import views

app_name = "print"
urlpatterns = [
    path("labels/", views.label_sheet, name="labels"),
    re_path(r"^labels/barcode\.(?P<fmt>svg|png)$", views.barcode_image, name="barcode"),
    path("slips/<str:number>/", views.slip_print, name="slip"),
]
