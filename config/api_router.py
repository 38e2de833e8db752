"""Every app's API registered in one router under /api/v1/.

Each app's ``api/urls.py`` lists ``routes`` (prefix, viewset, basename) and may add
``urlpatterns`` for views that are not viewsets.
"""

from importlib import import_module

from django.urls import include, path
from rest_framework.routers import DefaultRouter

API_APPS = [
    "materials",
    "inventory",
    "org",
    "workorders",
    "approvals",
    "returns",
    "finance",
    "alerts",
    "reports",
    "audit",
]

router = DefaultRouter()
urlpatterns = []
for app in API_APPS:
    module = import_module(f"{app}.api.urls")
    for prefix, viewset, basename in module.routes:
        router.register(prefix, viewset, basename=basename)
    urlpatterns += getattr(module, "urlpatterns", [])

urlpatterns.append(path("", include(router.urls)))
