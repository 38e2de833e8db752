import os
from logging.config import dictConfig

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("matreturns")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def logging_from_django_settings(**kwargs):
    """Worker and beat log like the web (settings.LOGGING: JSON lines with the request id,
    LOG_LEVEL) instead of Celery's own handlers and format (issue #14)."""
    from django.conf import settings

    dictConfig(settings.LOGGING)
