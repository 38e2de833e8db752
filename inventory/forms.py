"""What the page forms of every app share about scanned stock codes."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.fields import QTY_PLACES

QTY_DIGITS = 16  # core.fields.QuantityField


def one_field(scan, code):
    """A scan's field-keyed error as the messages of the form field being cleaned."""
    try:
        return scan(code)
    except ValidationError as error:
        raise ValidationError(error.messages) from error


def confirm_fields(form, **overrides):
    """(name, value) of a valid bound ``form``'s fields as typed, for the hidden inputs of
    its confirmation step; ``overrides`` replace what the check settled (e.g. a FEFO lot)."""
    values = {name: form[name].value() for name in form.fields}
    values.update(overrides)
    return [(name, "" if value is None else value) for name, value in values.items()]


def confirm_stage(request, form):
    """Where a POSTed two-step form stands: "book" (valid and confirmed), "confirm" (valid,
    to be confirmed) or "edit" (new, invalid, or sent back to be changed)."""
    if request.method != "POST" or not form.is_valid() or "edit" in request.POST:
        return "edit"
    return "book" if request.POST.get("confirmed") == "1" else "confirm"


def quantity_field(label, **kwargs):
    return forms.DecimalField(
        label=label, max_digits=QTY_DIGITS, decimal_places=QTY_PLACES, **kwargs
    )


def posting_date_field():
    """The day the material really moved (R-L6), today's by default; the booking service
    checks it is not in the future nor in a closed month."""
    return forms.DateField(
        label=_("Posting date"),
        required=False,
        help_text=_("The day the material really moved. Empty: today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def serials_field():
    """Serial numbers typed or scanned one per line (or comma-separated); ``serial_list``
    turns them into a list."""
    return forms.CharField(
        label=_("Serial numbers"),
        required=False,
        max_length=20000,
        help_text=_("One per line or separated by commas."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def serial_list(text):
    return [s for s in re.split(r"[\s,]+", text or "") if s]
