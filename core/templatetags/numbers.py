"""Quantities as people read them: no trailing zeros, the locale's separators (R-U3)."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def qty(value):
    """``Decimal("5.0000")`` → ``5``, ``Decimal("1234.5000")`` → ``1,234.5``; text and
    ``None`` pass through unchanged so a template never fails on a missing value."""
    if value is None or value == "":
        return value
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    # normalize() alone would print 100 as 1E+2; an integral quantity keeps its zeros.
    number = number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()
    return formats.number_format(number, use_l10n=True, force_grouping=True)
