"""API input fields of stock: a batch number read as the material's ``Lot``, the optional
posting date of a booking."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from inventory.models import Lot

LOT_UNKNOWN = _("Unknown lot %(lot)s for material %(material)s.")


def posting_date_input() -> serializers.DateField:
    """The day the material really moved (R-L6); the booking service checks it."""
    return serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The day the material really moved (YYYY-MM-DD), inside an open month. "
        "Empty: today.",
    )


def resolve_lot(attrs, material_key="material", lot_key="lot"):
    """Replace ``attrs[lot_key]`` (a batch number) with the material's Lot, or fail with 400."""
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
