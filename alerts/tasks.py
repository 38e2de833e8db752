"""Scheduled alert checks (CELERY_BEAT_SCHEDULE). Idempotent: an open alert is never raised
twice, so a retried or doubled run notifies nobody again."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from alerts.checks import DAILY, HOURLY, alerts_check
from alerts.services import notifications_email_pending


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
