"""Posting periods (issue #7, R-J1): a month finance confirmed takes no new posting dated in
it, until finance reopens it (issue #15). Finance decides (``finance.month_end``) and writes
the period only through these services; the ledger reads it in ``ensure_month_open``, never
a higher app. ``posting_date_check`` decides the date a booking may carry (R-L6, issue #17
item 6): today or back inside an open month, never before a month finance closed."""

from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.errors import StateConflict
from core.transactions import atomic_service
from inventory.models import PostingPeriod, PostingPeriodState

MONTH_LOCKED = _(
    "Month %(month)s is closed by finance (locked by %(user)s on %(when)s): "
    "nothing can be posted in it."
)

POSTING_DATE_FUTURE = _(
    "The posting date %(date)s is in the future: date a movement on the day the material "
    "really moved, today at the latest."
)
POSTING_DATE_TOO_EARLY = _(
    "The posting date %(date)s is too far back: the earliest posting date is %(earliest)s."
)
POSTING_DATE_BEFORE_CLOSE = _(
    "Month %(month)s is closed by finance: a posting dated %(date)s would change its stock, "
    "so the earliest posting date is %(earliest)s."
)


def periods_held(rows: QuerySet) -> list[tuple]:
    """``rows`` (a ``values_list`` of period rows) held FOR SHARE on PostgreSQL: postings
    never wait for each other, but finance's compute and confirm (FOR UPDATE,
    ``posting_period_hold``) wait for the postings in flight, and a posting after the
    confirm sees the locked state. Django's ``select_for_update`` has no shared mode. SQLite
    serialises writers on the whole database."""
    if connection.vendor != "postgresql":
        return list(rows)
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} FOR SHARE", params)
        return cursor.fetchall()


def period_state(first: date) -> tuple[str, int | None, datetime | None] | None:
    """``(state, locked_by_id, locked_at)`` of the month's period row, or ``None``."""
    rows = PostingPeriod.objects.filter(month=first).values_list(
        "state", "locked_by_id", "locked_at"
    )
    return next(iter(periods_held(rows)), None)


@atomic_service
def ensure_month_open(day: date) -> None:
    """Refuse a posting dated ``day`` once its month is locked, naming who locked it."""
    row = period_state(day.replace(day=1))
    if row is None or row[0] != PostingPeriodState.LOCKED:
        return
    _state, user_id, locked_at = row
    holder = User.objects.filter(pk=user_id).first() if user_id else None
    raise StateConflict(
        MONTH_LOCKED,
        params={
            "month": f"{day:%Y-%m}",
            "user": holder.get_username() if holder else _("finance"),
            "when": locked_when(locked_at),
        },
    )


def month_shift(first: date, months: int) -> date:
    """The first day of the month ``months`` after (or, negative, before) ``first``'s."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def locked_month_after(first: date) -> date | None:
    """The latest locked month after ``first``, held like ``period_state``: finance's lock
    of a month waits for postings dated before it."""
    rows = PostingPeriod.objects.filter(month__gt=first).values_list("month", "state")
    locked = (month for month, state in periods_held(rows) if state == PostingPeriodState.LOCKED)
    return max(locked, default=None)


def posting_date_check(day: date | None = None) -> date:
    """The posting date of a booking (R-L6), checked inside its transaction (the month's
    row held FOR SHARE), today's when ``day`` is None: not in the future,
    in an open month (``ensure_month_open``), at most ``POSTING_DATE_MONTHS_BACK`` months
    back and after every month finance closed, whose stock it would change otherwise."""
    today = timezone.localdate()
    day = day or today
    if day > today:
        raise ValidationError({"posting_date": POSTING_DATE_FUTURE % {"date": f"{day:%Y-%m-%d}"}})
    ensure_month_open(day)
    first, current = day.replace(day=1), today.replace(day=1)
    if first == current:  # dated in the current month: no later month can be closed
        return day
    earliest = month_shift(current, -settings.POSTING_DATE_MONTHS_BACK)
    if day < earliest:
        raise ValidationError(
            {
                "posting_date": POSTING_DATE_TOO_EARLY
                % {"date": f"{day:%Y-%m-%d}", "earliest": f"{earliest:%Y-%m-%d}"}
            }
        )
    closed = locked_month_after(first)
    if closed is not None:
        raise StateConflict(
            POSTING_DATE_BEFORE_CLOSE,
            params={
                "month": f"{closed:%Y-%m}",
                "date": f"{day:%Y-%m-%d}",
                "earliest": f"{month_shift(closed, 1):%Y-%m-%d}",
            },
        )
    return day


def locked_when(locked_at: datetime | None) -> str:
    if locked_at is None:  # a period locked before issue #15 kept no time
        return "—"
    return date_format(timezone.localtime(locked_at), "SHORT_DATETIME_FORMAT")


def posting_period_hold(month: date) -> PostingPeriod:
    """The month's period row, created open if missing, held FOR UPDATE until the caller's
    transaction ends: postings dated in the month wait for it meanwhile."""
    PostingPeriod.objects.bulk_create([PostingPeriod(month=month)], ignore_conflicts=True)
    return PostingPeriod.objects.select_for_update().get(month=month)


@atomic_service
def posting_period_lock(*, month: date, actor: User | None = None) -> PostingPeriod:
    """Lock the month: no posting dated in it from now on; ``actor`` holds the lock."""
    period = posting_period_hold(month)
    period.state = PostingPeriodState.LOCKED
    period.locked_by, period.locked_at = actor, timezone.now()
    period.save(update_fields=["state", "locked_by", "locked_at"])
    return period


@atomic_service
def posting_period_unlock(*, month: date) -> PostingPeriod:
    """Lift the month's lock (finance reopened it): postings dated in it are taken again."""
    period = posting_period_hold(month)
    period.state = PostingPeriodState.OPEN
    period.locked_by, period.locked_at = None, None
    period.save(update_fields=["state", "locked_by", "locked_at"])
    return period
