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


class CodeFilter(django_filters.CharFilter):
    """A foreign key named by its code: the code is resolved to ids with one small query
    first, so a big table is filtered on its own indexed column (``material_id IN (…)``,
    an index range) instead of through a join the planner may answer by walking the whole
    primary-key index; a code naming nothing gives no rows without asking the big table.
    ``field_name`` is the foreign key's path; the model it points to is read from the
    queryset's model (so a low app filters on a higher one without importing it)."""

    def __init__(self, *, code: str = "code", **kwargs):
        super().__init__(**kwargs)
        self.code = code

    def target(self, model):
        for name in self.field_name.split("__"):
            model = model._meta.get_field(name).related_model
        return model

    def filter(self, qs, value):
        value = value.strip() if isinstance(value, str) else value
        if value in ("", None):
            return qs
        ids = self.target(qs.model)._default_manager.filter(**{self.code: value})
        return qs.filter(**{f"{self.field_name}__in": list(ids.values_list("id", flat=True))})
