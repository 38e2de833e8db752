from django.urls import path

from portal.dashboard import dashboard

app_name = "portal"
urlpatterns = [
    path("", dashboard, name="home"),
]
