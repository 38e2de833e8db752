"""Which installed apps are this project's own, so that lists about "every app" or "every
model" (the auditor's permissions, the API router) derive from the app registry instead of
being kept by hand."""

from pathlib import Path

from django.apps import AppConfig, apps
from django.conf import settings


def project_app_configs() -> list[AppConfig]:
    """The installed apps whose package sits at the top of this repository (neither Django's
    nor a third party's), in ``INSTALLED_APPS`` order."""
    root = Path(settings.BASE_DIR).resolve()
    return [
        config for config in apps.get_app_configs() if Path(config.path).resolve().parent == root
    ]
