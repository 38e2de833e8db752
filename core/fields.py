"""Decimal shapes: quantities (16,4), unit costs (14,4), money (14,2). Never float."""

from decimal import Decimal

from django.db import models

QTY_PLACES = 4
QTY = Decimal("0.0001")
MONEY = Decimal("0.01")


def QuantityField(verbose_name=None, **kwargs):  # noqa: N802 - a field factory
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(verbose_name, max_digits=16, decimal_places=QTY_PLACES, **kwargs)


def MoneyField(verbose_name=None, **kwargs):  # noqa: N802 - a field factory
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


def UnitCostField(verbose_name=None, **kwargs):  # noqa: N802 - a field factory
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=4, **kwargs)


def format_qty(value):
    """``Decimal("210.0000")`` → ``"210"`` for messages (no exponent, no trailing zeros)."""
    return f"{Decimal(value).normalize():f}"
