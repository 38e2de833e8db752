"""Every app's API registered in one router under /api/v1/.

Each project app with an ``api/urls.py`` is found by itself (no list to keep): the module
lists ``routes`` (prefix, viewset, basename) and may add ``urlpatterns`` for views that are
not viewsets.
"""

from importlib import import_module

from django.urls import include, path
from django.utils.module_loading import module_has_submodule
from rest_framework.routers import DefaultRouter

from core.project import project_app_configs


def api_apps() -> list[str]:
    """The project apps that have an ``api/urls.py``, in ``INSTALLED_APPS`` order."""
    return [
        config.name
        for config in project_app_configs()
        if module_has_submodule(config.module, "api")
        and module_has_submodule(import_module(f"{config.name}.api"), "urls")
    ]


router = DefaultRouter()
urlpatterns = []
for app in api_apps():
    module = import_module(f"{app}.api.urls")
    for prefix, viewset, basename in module.routes:
        router.register(prefix, viewset, basename=basename)
    urlpatterns += getattr(module, "urlpatterns", [])

urlpatterns.append(path("", include(router.urls)))
