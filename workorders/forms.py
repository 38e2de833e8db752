"""Browser forms for work-order pages: the list filter, the production steps (output,
finished-goods receipt) and the close-out actions (R-W4). They parse; services decide."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from core.fields import QTY_PLACES
from inventory.forms import one_field
from inventory.scanning import scan_location
from materials.models import Material, TrackingMode
from workorders.models import SignOffRole

QTY_DIGITS = 16  # core.fields.QuantityField


class SignOffForm(forms.Form):
    role = forms.ChoiceField(label=_("Department"), choices=SignOffRole.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class DeclareLeftoverForm(forms.Form):
    material = forms.ModelChoiceField(label=_("Material"), queryset=None)
    note = forms.CharField(
        label=_("How was the leftover consumed?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, work_order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = Material.objects.filter(
            pk__in=work_order.lines.values("material_id")
        ).order_by("code")


def quantity_field(label, **kwargs):
    return forms.DecimalField(
        label=label, max_digits=QTY_DIGITS, decimal_places=QTY_PLACES, **kwargs
    )


class ReportOutputForm(forms.Form):
    good_qty = quantity_field(_("Good quantity"), min_value=0)
    scrap_qty = quantity_field(_("Scrap quantity"), min_value=0, required=False, initial=0)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def clean_scrap_qty(self):
        return self.cleaned_data["scrap_qty"] or 0


class ReceiveOutputForm(forms.Form):
    """Finished goods into a location; batch and serial fields only for a product tracked
    that way (R-M4)."""

    location = forms.CharField(
        label=_("Location"),
        max_length=200,
        help_text=_("Scan the location label or type its code."),
    )
    quantity = quantity_field(_("Quantity"))
    batch_no = forms.CharField(label=_("Batch number"), max_length=64, required=False)
    serials = forms.CharField(
        label=_("Serial numbers"),
        required=False,
        max_length=20000,
        help_text=_("One per line or separated by commas."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, work_order, **kwargs):
        super().__init__(*args, **kwargs)
        tracking = work_order.product.tracking
        if tracking == TrackingMode.NONE:
            del self.fields["batch_no"]
        if tracking != TrackingMode.SERIAL:
            del self.fields["serials"]

    def clean_location(self):
        return one_field(scan_location, self.cleaned_data["location"].strip())

    def clean_serials(self):
        return [s for s in re.split(r"[\s,]+", self.cleaned_data["serials"]) if s]
