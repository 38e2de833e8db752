from django.db import models
from django.utils.translation import gettext_lazy as _

APPEND_ONLY = _("%(model)s rows are append-only: write a reversing entry instead.")


class AppendOnlyError(Exception):
    pass


class AppendOnlyModel(models.Model):
    """Rows are inserted once and never changed (R-L1, R-U1).

    This guards the ORM; on PostgreSQL a trigger refuses UPDATE/DELETE for everyone else.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(APPEND_ONLY % {"model": self._meta.verbose_name})
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(APPEND_ONLY % {"model": self._meta.verbose_name})
