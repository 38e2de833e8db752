"""Forms of the supplier-return pages (R-S2): they only parse; the services decide."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from materials.models import Location

NO_SUCH_LOCATION = _("No active location with code %(code)s.")


def split_serials(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


class SupplierReturnHeadForm(forms.Form):
    reason = forms.CharField(
        label=_("Return reason"),
        max_length=300,
        help_text=_("What is wrong with the material, as QC states it."),
    )


class AcknowledgeForm(forms.Form):
    name = forms.CharField(label=_("Acknowledged by (supplier)"), max_length=80)
    on = forms.DateField(
        label=_("Acknowledged on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    attachment = forms.FileField(label=_("Signed slip (photo or PDF)"), required=False)


class ClaimAmountForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Claim amount"), max_digits=14, decimal_places=2, min_value=Decimal(0)
    )


class CreditForm(forms.Form):
    credit_note = forms.CharField(label=_("Credit note number"), max_length=40)
    amount = forms.DecimalField(
        label=_("Credit amount"), max_digits=14, decimal_places=2, min_value=Decimal(0)
    )


class ReplacementForm(forms.Form):
    line = forms.TypedChoiceField(label=_("Line"), coerce=int)
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=16, decimal_places=4, min_value=Decimal("0.0001")
    )
    location = forms.CharField(label=_("Put away at (location code)"), max_length=40)
    batch_no = forms.CharField(label=_("Batch number"), max_length=64, required=False)
    serials = forms.CharField(
        label=_("Serial numbers"),
        required=False,
        help_text=_("One per unit, separated by spaces or commas."),
    )

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [
            (line.pk, f"{n}. {line.material.code} ({line.open_qty.normalize():f})")
            for n, line in enumerate(lines, start=1)
        ]

    def clean_location(self):
        code = self.cleaned_data["location"].strip()
        location = Location.objects.filter(code=code, is_active=True).first()
        if location is None:
            raise forms.ValidationError(NO_SUCH_LOCATION % {"code": code})
        return location

    def clean_serials(self):
        return split_serials(self.cleaned_data["serials"])
