from django.urls import reverse
from rest_framework import serializers

from core.fields import QTY_PLACES


def absolute(request, name, pk):
    """The URL of route ``name`` for ``pk``, absolute when there is a request."""
    url = reverse(name, args=[pk])
    return request.build_absolute_uri(url) if request else url


def CodeField(queryset, **kwargs):  # noqa: N802 - a field factory
    """A foreign key written and read by its ``code`` (what scanners and the ERP know)."""
    return serializers.SlugRelatedField(slug_field="code", queryset=queryset, **kwargs)


def QuantityInput(**kwargs):  # noqa: N802 - a field factory
    return serializers.DecimalField(max_digits=16, decimal_places=QTY_PLACES, **kwargs)
