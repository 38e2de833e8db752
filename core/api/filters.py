"""Filter pieces shared by the apps' FilterSets."""

from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

OUT_OF_RANGE = _("This moment is out of range.")


class MomentField(IsoDateTimeField):
    """An ISO 8601 moment, handed to the database in UTC: PostgreSQL refuses offsets
    beyond ±16 h that Python accepts, and a moment near year 1 or 9999 may not convert."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except (OverflowError, ValueError) as error:
            raise ValidationError(OUT_OF_RANGE, code="invalid") from error


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = MomentField
