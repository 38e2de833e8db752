from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.fields import QTY_PLACES

LOT_UNKNOWN = _("Unknown lot %(lot)s for material %(material)s.")


def absolute(request, name, pk):
    """The URL of route ``name`` for ``pk``, absolute when there is a request."""
    url = reverse(name, args=[pk])
    return request.build_absolute_uri(url) if request else url


def CodeField(queryset, **kwargs):  # noqa: N802 - a field factory
    """A foreign key written and read by its ``code`` (what scanners and the ERP know)."""
    return serializers.SlugRelatedField(slug_field="code", queryset=queryset, **kwargs)


def QuantityInput(**kwargs):  # noqa: N802 - a field factory
    return serializers.DecimalField(max_digits=16, decimal_places=QTY_PLACES, **kwargs)


def resolve_lot(attrs, material_key="material", lot_key="lot"):
    """Replace ``attrs[lot_key]`` (a batch number) with the material's Lot, or fail with 400."""
    from inventory.models import Lot

    batch_no = attrs.get(lot_key)
    if not batch_no:
        attrs[lot_key] = None
        return attrs
    material = attrs[material_key]
    lot = Lot.objects.filter(material=material, batch_no=batch_no).first()
    if lot is None:
        raise serializers.ValidationError(
            {lot_key: LOT_UNKNOWN % {"lot": batch_no, "material": material.code}}
        )
    attrs[lot_key] = lot
    return attrs
