import logging
import os
from logging.config import dictConfig

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger(__name__)

app = Celery("matreturns")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.beat_init.connect
def beat_entries_sent_at_start(sender, **kwargs):
    """Send the beat entries named in ``BEAT_RUN_AT_START`` once, as beat starts (settings)."""
    from django.conf import settings

    from core.outbox_tasks import BROKER_ERRORS

    for name in settings.BEAT_RUN_AT_START:
        task = settings.CELERY_BEAT_SCHEDULE[name]["task"]
        logger.info("Beat starting: sending %s (%s)", name, task)
        try:
            sender.app.send_task(task, ignore_result=True)
        except BROKER_ERRORS as error:  # the broker down must not stop beat; its ticks retry
            logger.warning("Beat starting: %s not sent: %s", name, error)


@signals.setup_logging.connect
def logging_from_django_settings(**kwargs):
    """Worker and beat log like the web (settings.LOGGING: JSON lines with the request id,
    LOG_LEVEL) instead of Celery's own handlers and format (issue #14)."""
    from django.conf import settings

    dictConfig(settings.LOGGING)
