"""Workshops and who works in them: the scope every request and work order lives in."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Workshop(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        related_name="workshops",
        blank=True,
        help_text=_("People who see and act on this workshop's requests and work orders."),
    )

    class Meta:
        db_table = "workorders_workshop"  # moved from workorders (issue #13); the table stays
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"
