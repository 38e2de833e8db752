from datetime import datetime

from django.db import connection
from django.utils import timezone

from core.models import DocumentSequence


def document_number_next(*, prefix: str, when: datetime | None = None) -> str:
    """Next gap-free number such as ``RT-202611-0001``.

    One statement (an upsert that counts up and returns the number; issue #17 measured the
    insert, lock, update and savepoints it replaced on every booking). The sequence row
    stays locked until the caller's transaction ends, so a rolled-back document gives its
    number back and two concurrent callers never share one.
    """
    period = timezone.localtime(when or timezone.now()).strftime("%Y%m")
    table = connection.ops.quote_name(DocumentSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, period, last_number) VALUES (%s, %s, 1) "
            f"ON CONFLICT (prefix, period) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [prefix, period],
        )
        (number,) = cursor.fetchone()
    return f"{prefix}-{period}-{number:04d}"
