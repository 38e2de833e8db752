from alerts.api import views

routes = [
    ("notifications", views.NotificationViewSet, "notification"),
    ("alerts", views.AlertViewSet, "alert"),
]
urlpatterns = []
