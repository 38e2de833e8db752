"""Posting periods (issue #7, R-J1): a month finance confirmed takes no new posting dated in
it. Finance decides (``finance.month_end``) and writes the period only through these
services; the ledger reads it in ``ensure_month_open``, never a higher app."""

from datetime import date

from django.db import connection
from django.utils.translation import gettext_lazy as _

from core.errors import StateConflict
from core.transactions import atomic_service
from inventory.models import PostingPeriod, PostingPeriodState

MONTH_LOCKED = _("Month %(month)s is closed by finance: nothing can be posted in it.")


@atomic_service
def ensure_month_open(day: date) -> None:
    """Refuse a posting dated ``day`` once its month is locked."""
    first = day.replace(day=1)
    if connection.vendor == "postgresql":
        # FOR SHARE: postings never wait for each other, but finance's compute and confirm
        # (FOR UPDATE, ``posting_period_hold``) wait for the postings in flight, and a
        # posting after the confirm sees the locked state.
        table = connection.ops.quote_name(PostingPeriod._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT state FROM {table} WHERE month = %s FOR SHARE", [first])
            states = {row[0] for row in cursor.fetchall()}
    else:  # SQLite serialises writers on the whole database
        states = set(PostingPeriod.objects.filter(month=first).values_list("state", flat=True))
    if PostingPeriodState.LOCKED in states:
        raise StateConflict(MONTH_LOCKED, params={"month": f"{day:%Y-%m}"})


def posting_period_hold(month: date) -> PostingPeriod:
    """The month's period row, created open if missing, held FOR UPDATE until the caller's
    transaction ends: postings dated in the month wait for it meanwhile."""
    PostingPeriod.objects.bulk_create([PostingPeriod(month=month)], ignore_conflicts=True)
    return PostingPeriod.objects.select_for_update().get(month=month)


@atomic_service
def posting_period_lock(*, month: date) -> PostingPeriod:
    """Lock the month: no posting dated in it from now on."""
    period = posting_period_hold(month)
    period.state = PostingPeriodState.LOCKED
    period.save(update_fields=["state"])
    return period
