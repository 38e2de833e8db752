"""Scheduled alert checks (CELERY_BEAT_SCHEDULE), and the notification work services hand
to Celery through the outbox (e-mails, the shortage-fulfilled notice). Idempotent: an open
alert is never raised twice and a notification is e-mailed once, so a retried or doubled
run notifies nobody again."""

import logging
import smtplib
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from alerts.checks import DAILY, HOURLY, alerts_check
from alerts.services import (
    notifications_email,
    notifications_email_pending,
    shortage_fulfilled_tell,
)

logger = logging.getLogger(__name__)
# An unreachable mail server is an OSError (refused, timed out), a refusal an SMTPException.
MAIL_ERRORS = (smtplib.SMTPException, OSError)
EMAIL_RETRIES = 5
EMAIL_RETRY_SECONDS = 60  # doubled on each retry: 1, 2, 4, 8, 16 minutes


def summary(results):
    return {
        str(kind): {"raised": raised, "cleared": cleared}
        for kind, (raised, cleared) in results.items()
    }


@shared_task(acks_late=True, time_limit=900, soft_time_limit=840)
def alerts_check_hourly():
    """Overdue leftovers, returns, borrowed material and approvals (R-J2, R-W5, R-A7); also
    retries the day's e-mails that failed to go out."""
    results = summary(alerts_check(HOURLY))
    notifications_email_pending(since=timezone.now() - timedelta(days=1))
    return results


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def alerts_check_daily():
    """Lots near expiry (R-L5) and materials below safety stock (R-L4)."""
    return summary(alerts_check(DAILY))


@shared_task(
    bind=True, acks_late=True, max_retries=EMAIL_RETRIES, time_limit=120, soft_time_limit=90
)
def notifications_email_task(self, ids):
    """E-mail these notifications (dispatched through the outbox by
    ``alerts.services.notifications_create``); safe to run twice, each is sent at most once.
    An SMTP failure is retried with backoff; past the retries, or in-process (eager Celery,
    where a web request must not fail for it), the hourly check sends what is left."""
    try:
        return notifications_email(ids=ids)
    except MAIL_ERRORS as error:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            logger.warning("E-mail of notifications %s not sent, retried hourly: %s", ids, error)
            return 0
        countdown = EMAIL_RETRY_SECONDS * 2**self.request.retries
        raise self.retry(exc=error, countdown=countdown) from error


@shared_task(acks_late=True, time_limit=120, soft_time_limit=90)
def shortage_fulfilled_notify_task(slip_id):
    """R-P4: tell the requester a shortage slip was fulfilled (safe to run twice)."""
    return len(shortage_fulfilled_tell(slip_id=slip_id))
