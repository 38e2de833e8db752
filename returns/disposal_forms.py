"""The page form of a new scrap disposal (R-D1): the document's fields, and one quantity
(and serial numbers) per stock row picked from the scrap and quarantine locations."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from materials.models import Location, TrackingMode
from org.access import workshops_of
from returns.models import DisposalRoute
from returns.services.disposals import DISPOSABLE_KINDS, DisposalLineInput

QTY_INVALID = _("Line %(row)s: give the quantity as a number.")


class DisposalForm(forms.Form):
    workshop = forms.ModelChoiceField(
        label=_("Responsible workshop"), queryset=None, empty_label=None
    )
    route = forms.ChoiceField(label=_("Disposal route"), choices=DisposalRoute.choices)
    rework_location = forms.ModelChoiceField(
        label=_("Rework location (rework only)"),
        queryset=Location.objects.filter(is_active=True)
        .exclude(kind__in=DISPOSABLE_KINDS)
        .order_by("code"),
        required=False,
    )
    explanation = forms.CharField(
        label=_("Explanation"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = workshops_of(user).order_by("code")


def picked_lines(data, stock) -> list[DisposalLineInput]:
    """The stock rows given a quantity (``qty_<balance id>``), with their serial numbers
    (``serials_<balance id>``, separated by spaces or commas)."""
    lines = []
    for row, balance in enumerate(stock, start=1):
        text = (data.get(f"qty_{balance.pk}") or "").strip()
        if not text:
            continue
        try:
            quantity = Decimal(text)
        except InvalidOperation:
            raise ValidationError({"quantity": QTY_INVALID % {"row": row}}) from None
        serials = []
        if balance.material.tracking == TrackingMode.SERIAL:
            raw = data.get(f"serials_{balance.pk}") or ""
            serials = [s for s in raw.replace(",", " ").split() if s]
        lines.append(
            DisposalLineInput(
                material=balance.material,
                location=balance.location,
                lot=balance.lot,
                quantity=quantity,
                serials=serials,
            )
        )
    return lines
