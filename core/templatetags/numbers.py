"""Quantities as people read them (R-U3): the pages' ``qty`` filter, now the formatting
module's ``quantity`` (``core.formatting``) so pages and workbooks agree."""

from django import template

from core.formatting import quantity

register = template.Library()


@register.filter
def qty(value):
    """``Decimal("5.0000")`` → ``5``, ``Decimal("1234.5000")`` → ``1,234.5``; text and
    ``None`` pass through unchanged so a template never fails on a missing value."""
    return quantity(value)
