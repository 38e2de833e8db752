"""Decimal shapes: quantities (16,4), unit costs (14,4), money (14,2). Never float."""

from decimal import Decimal

from django.conf import settings
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


def UserStampField(verbose_name):  # noqa: N802 - a field factory
    """Who did a step of a document (confirmed, received, posted…): optional until the step
    happens, never deleted with the user, no reverse accessor."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=verbose_name,
    )


def format_qty(value):
    """``Decimal("210.0000")`` → ``"210"`` for messages (no exponent, no trailing zeros)."""
    return f"{Decimal(value).normalize():f}"
