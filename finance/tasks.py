from celery import shared_task

from core.months import month_parse
from finance.month_end import month_end_compute, previous_month


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def month_end_task(month: str | None = None) -> str:
    """On the 1st: last month's summary. Idempotent: it replaces the month's rows."""
    month = month_parse(month) if month else previous_month()
    return str(month_end_compute(month=month))
