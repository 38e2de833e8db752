"""Numbers, codes and moments as people read them (issue #16, item 3): the one place that
decides how a ratio, a quantity, an amount, a choice code or a time is shown, used by the
template filters (``core.templatetags.formatting``) and the finance and reports workbooks
alike.

Everything follows the active language (en or zh-hans). Money is grouped by thousands in
both: Django's zh-hans format has no thousands separator (and groups by 4), which finance
did not recognise as an amount.
"""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import formats, numberformat, timezone

QTY_PLACES = 4  # what a quantity field stores; never more is shown
MONEY_PLACES = 2
EMPTY = "—"


def decimal_of(value: Any) -> Decimal | None:
    """``value`` as a Decimal, or None for what is not a number (text, None, "")."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def places_trimmed(number: Decimal, places: int) -> int:
    """The fraction digits ``number`` needs once rounded to ``places`` (trailing zeros
    dropped): 12.5000 → 1, 840.0000 → 0."""
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    exponent = rounded.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def grouped(number: Decimal, places: int) -> str:
    """``number`` with ``places`` fraction digits and thousands grouped by 3 in every
    language (the locale's separator, a comma where the locale has none)."""
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return numberformat.format(
        number,
        formats.get_format("DECIMAL_SEPARATOR"),
        decimal_pos=places,
        grouping=3,
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR") or ",",
        force_grouping=True,
    )


def quantity(value: Any, unit: str = "") -> str:
    """At most 4 fraction digits, trailing zeros trimmed, then the unit:
    ``Decimal("1234.5000"), "M"`` → ``1,234.5 M``. What is not a number passes through."""
    number = decimal_of(value)
    if number is None:
        return value
    shown = grouped(number, places_trimmed(number, QTY_PLACES))
    return f"{shown} {unit}" if unit else shown


def money(value: Any) -> str:
    """Two fraction digits, grouped: 29355 → ``29,355.00`` in both languages."""
    number = decimal_of(value)
    return value if number is None else grouped(number, MONEY_PLACES)


def percent_places(points: Decimal) -> int:
    """Three significant digits where they matter, never more than two decimals:
    7.142… % → 7.14 %, 12.5 % → 12.5 %, 1,280 % → 1,280 %."""
    size = abs(points)
    if size >= 100:
        return 0
    return 1 if size >= 10 else 2


def percent(ratio: Any) -> str:
    """A ratio (0.0714…) as a percentage (``7.14 %``); what is not a number passes."""
    number = decimal_of(ratio)
    if number is None:
        return ratio
    points = number * 100
    return f"{grouped(points, places_trimmed(points, percent_places(points)))} %"


def label(choices: Iterable[tuple[Any, Any]], value: Any) -> str:
    """The translated label of a choice ``value`` (``values()`` rows carry the raw code);
    an unknown code is shown as it is, an empty one as a dash."""
    if value in (None, ""):
        return EMPTY
    return str(dict(choices).get(value, value))


def moment(value: datetime | date | None) -> str:
    """A date, or a time in the factory's zone with its minutes (``Dec. 6, 2026 14:00``,
    ``2026年12月6日 14:00``): Django's English default drops minutes on the hour."""
    if value is None:
        return EMPTY
    if not isinstance(value, datetime):
        return formats.date_format(value, "DATE_FORMAT")
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{formats.date_format(value, 'DATE_FORMAT')} {formats.time_format(value, 'H:i')}"
