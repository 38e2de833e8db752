from org.api import views

routes = [
    ("workshops", views.WorkshopViewSet, "workshop"),
]
