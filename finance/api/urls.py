from finance.api import views

routes = [("month-ends", views.MonthEndViewSet, "month-end")]
urlpatterns = []
