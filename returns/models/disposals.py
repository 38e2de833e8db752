"""Scrap disposal (报废单, R-D1, seed 002 工废 §5.1.1 E): failed material in scrap or
quarantine locations leaves by a document, on the route the seed names, after QC,
production and (above a set amount) finance have signed."""

from types import SimpleNamespace

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import MoneyField, QuantityField, UnitCostField, UserStampField


class DisposalRoute(models.TextChoices):
    """Seed 002 §5.1.1 E: where failed material goes. Rework moves it; the others scrap it."""

    WAREHOUSE_SCRAP = "warehouse_scrap", _("warehouse scrap area (hardware, purchased parts)")
    REGRIND = "regrind", _("regrind room (injection parts)")
    REWORK = "rework", _("back to the upstream workshop for rework")


class DisposalState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    POSTED = "posted", _("posted")
    CANCELLED = "cancelled", _("cancelled")


# The one map of allowed moves; a rejected approval sends the document back to draft.
DISPOSAL_TRANSITIONS = {
    DisposalState.DRAFT: {DisposalState.SUBMITTED, DisposalState.CANCELLED},
    DisposalState.SUBMITTED: {
        DisposalState.APPROVED,
        DisposalState.DRAFT,
        DisposalState.CANCELLED,
    },
    DisposalState.APPROVED: {DisposalState.POSTED, DisposalState.CANCELLED},
    DisposalState.POSTED: set(),
    DisposalState.CANCELLED: set(),
}
# The API action that moves a disposal into each state (what a scanned number offers).
DISPOSAL_ACTIONS = {
    DisposalState.SUBMITTED: "submit",
    DisposalState.POSTED: "post",
    DisposalState.CANCELLED: "cancel",
}


class ScrapDisposal(models.Model):
    number = models.CharField(
        _("number"), max_length=20, unique=True, help_text=_("SD-YYYYMM-NNNN.")
    )
    workshop = models.ForeignKey(
        "org.Workshop",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible workshop"),
        help_text=_("Its QC and production manager sign the disposal."),
    )
    route = models.CharField(
        _("disposal route"), max_length=16, choices=DisposalRoute.choices, db_index=True
    )
    rework_location = models.ForeignKey(
        "materials.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rework location"),
        help_text=_("Where reworked material goes (the upstream workshop's line side)."),
    )
    explanation = models.CharField(_("explanation"), max_length=500, blank=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=DisposalState.choices,
        default=DisposalState.DRAFT,
        db_index=True,
    )
    value = MoneyField(_("value"))
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("applicant"),
    )
    rejection_reason = models.CharField(_("rejection reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    posted_by = UserStampField(_("posted by"))
    posted_at = models.DateTimeField(_("posted"), null=True, blank=True)
    posting_date = models.DateField(_("posting date"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("scrap disposal")
        verbose_name_plural = _("scrap disposals")
        ordering = ["-id"]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("returns:disposal_detail", args=[self.pk])

    @property
    def work_order(self):
        """Approvals reach a request through its work order's workshop (scope, steps); a
        disposal has no work order, its responsible workshop stands in."""
        return SimpleNamespace(workshop_id=self.workshop_id, number="")

    @property
    def is_rework(self):
        return self.route == DisposalRoute.REWORK


class ScrapDisposalLine(models.Model):
    disposal = models.ForeignKey(ScrapDisposal, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("line"))
    material = models.ForeignKey(
        "materials.Material", on_delete=models.PROTECT, related_name="+", verbose_name=_("material")
    )
    lot = models.ForeignKey(
        "inventory.Lot",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lot"),
    )
    serials = models.JSONField(_("serial numbers"), default=list, blank=True)
    location = models.ForeignKey(
        "materials.Location",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from location"),
    )
    quantity = QuantityField(_("quantity"))
    unit_cost = UnitCostField(_("standard unit cost"))
    value = MoneyField(_("value"))

    class Meta:
        verbose_name = _("scrap disposal line")
        verbose_name_plural = _("scrap disposal lines")
        ordering = ["disposal_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["disposal", "position"], name="uniq_disposal_line"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="disposal_qty_pos"),
        ]

    def __str__(self):
        return f"{self.disposal} #{self.position}"
