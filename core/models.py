from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentSequence(models.Model):
    """Gap-free counter per document prefix and month (``RT-202611-0001``)."""

    prefix = models.CharField(_("prefix"), max_length=8)
    period = models.CharField(_("period"), max_length=6, help_text="YYYYMM")
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document sequence")
        verbose_name_plural = _("document sequences")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "period"], name="uniq_sequence_period")
        ]

    def __str__(self):
        return f"{self.prefix}-{self.period}: {self.last_number}"
