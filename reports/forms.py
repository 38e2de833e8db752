"""What the exports' parameter forms share: a model chosen by its code, a date range in
order, and a day's start in the factory's time zone."""

from datetime import date, datetime, time

from django import forms
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DATES_REVERSED = _("The end date is before the start date.")


def code_field(model: type[Model], field: str, message: str, **kwargs) -> forms.ModelChoiceField:
    """A model chosen by its code (what people type or scan), with a clear error."""
    return forms.ModelChoiceField(
        queryset=model.objects.all(),
        to_field_name=field,
        required=False,
        error_messages={"invalid_choice": message},
        **kwargs,
    )


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class DateRangeForm(forms.Form):
    """A form whose ``date_range`` fields (start, end) may not be reversed."""

    date_range = ("date_from", "date_to")

    def clean(self):
        cleaned = super().clean()
        start_name, end_name = self.date_range
        start, end = cleaned.get(start_name), cleaned.get(end_name)
        if start and end and end < start:
            self.add_error(end_name, DATES_REVERSED)
        return cleaned
