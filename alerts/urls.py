from django.urls import path

from alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.notifications, name="notifications"),
    path("read/", views.notifications_read, name="notifications_read"),
    path("<int:pk>/open/", views.notification_open, name="notification_open"),
    path("badge/", views.badge, name="badge"),
    path("preferences/", views.preferences, name="preferences"),
]
