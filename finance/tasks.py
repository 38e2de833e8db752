from datetime import datetime

from celery import shared_task

from finance.month_end import month_end_compute, previous_month


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def month_end_task(month=None):
    """On the 1st: last month's summary. Idempotent: it replaces the month's rows."""
    month = datetime.strptime(month, "%Y-%m").date() if month else previous_month()
    return str(month_end_compute(month=month))
