from audit.api import views

routes = [("audit-events", views.AuditEventViewSet, "audit-event")]
urlpatterns = []
