"""A month as people type it (``2026-10``): the one parser that pages, API filters and
parameters, management commands and tasks share, with one message for bad input."""

from datetime import date, datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

BAD_MONTH = _("Give the month as YYYY-MM.")
MONTH_RANGE = _("Give a month from %(first)s up to the current one.")
# No ledger predates it; year 1 and year 9999 would also overflow the month's time bounds.
FIRST_MONTH = date(2000, 1, 1)


def month_parse(value: str, *, up_to_now: bool = False) -> date:
    """The first day of the month ``value`` names, or ``ValidationError`` (code
    ``bad_month``; ``month_range`` when ``up_to_now`` and the month is before
    ``FIRST_MONTH`` or after the current one)."""
    try:
        month = datetime.strptime(value.strip(), "%Y-%m").date()
    except (AttributeError, ValueError) as error:
        raise ValidationError(BAD_MONTH, code="bad_month") from error
    if up_to_now and not FIRST_MONTH <= month <= timezone.localdate():
        raise ValidationError(
            MONTH_RANGE, code="month_range", params={"first": f"{FIRST_MONTH:%Y-%m}"}
        )
    return month


class MonthField(forms.CharField):
    """A form field giving the month's first day (``month_parse``); ``None`` when empty."""

    def __init__(self, *, up_to_now: bool = False, **kwargs):
        self.up_to_now = up_to_now
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
        )
        super().__init__(**kwargs)

    def to_python(self, value) -> date | None:
        value = super().to_python(value)
        return month_parse(value, up_to_now=self.up_to_now) if value else None


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of a month in the factory's time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(month, time.min, tzinfo=zone)
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, datetime.combine(following, time.min, tzinfo=zone)
