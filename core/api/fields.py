from rest_framework import serializers

from core.fields import QTY_PLACES


def CodeField(queryset, **kwargs):  # noqa: N802 - a field factory
    """A foreign key written and read by its ``code`` (what scanners and the ERP know)."""
    return serializers.SlugRelatedField(slug_field="code", queryset=queryset, **kwargs)


def QuantityInput(**kwargs):  # noqa: N802 - a field factory
    return serializers.DecimalField(max_digits=16, decimal_places=QTY_PLACES, **kwargs)
