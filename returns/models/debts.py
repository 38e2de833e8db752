"""Replace first, return later (先补后退, R-P5): a replenishment that cites a defect return
not yet posted replaces material the warehouse has not got back. That replacement is a
debt the return's posting clears."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import QuantityField
from returns.models.replenishments import ReplacementCitation


class ReplacementDebt(models.Model):
    """The quantity a citation replaced ahead of its return (R-P5). ``cleared_qty`` is what
    the return's posting received against it; the debt is open until ``cleared_at``."""

    citation = models.OneToOneField(
        ReplacementCitation,
        on_delete=models.CASCADE,
        related_name="debt",
        verbose_name=_("replacement citation"),
    )
    quantity = QuantityField(_("quantity replaced ahead"))
    cleared_qty = QuantityField(_("quantity returned against it"))
    opened_at = models.DateTimeField(_("opened"), db_index=True)
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("replacement debt")
        verbose_name_plural = _("replacement debts")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cleared_qty__gte=0, cleared_qty__lte=models.F("quantity")),
                name="replacement_debt_cleared_range",
            ),
        ]

    def __str__(self):
        return f"{self.citation}: {self.quantity}"

    def get_absolute_url(self):
        return self.citation.replenish_line.request.get_absolute_url()

    @property
    def is_open(self):
        return self.cleared_at is None

    @property
    def open_qty(self):
        return self.quantity - self.cleared_qty
