from django.db import models
from django.utils.translation import gettext_lazy as _


class DeferredDispatch(models.Model):
    """A task that could not be handed to the broker (Redis down) when its transaction
    committed; ``jobs.dispatch.deferred_redispatch`` sends it once the broker is back."""

    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("deferred dispatch")
        verbose_name_plural = _("deferred dispatches")
        ordering = ["id"]

    def __str__(self):
        return f"{self.task_name}{tuple(self.args)}"
