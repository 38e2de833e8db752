"""Reason codes of returns and replenishments with their responsibility and penalty points
(R-R1, R-P1, R-J3), and what both kinds of request share."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import MoneyField


class RequestKind(models.TextChoices):
    RETURN = "return", _("return")
    REPLENISH = "replenish", _("replenishment")


class ResponsibleParty(models.TextChoices):
    PRODUCTION = "production", _("production")
    WAREHOUSE = "warehouse", _("warehouse")
    TECHNICAL = "technical", _("technical")
    QC = "qc", _("QC")
    PLANNING = "planning", _("planning")
    SUPPLIER = "supplier", _("supplier")


class DefectKind(models.TextChoices):
    NONE = "", _("not a defect")
    SUPPLIER = "supplier", _("supplier defect")
    PROCESS = "process", _("process defect")


class ReasonCode(models.Model):
    """A return or replenishment reason with its responsibility and penalty points (R-J3)."""

    kind = models.CharField(_("kind"), max_length=10, choices=RequestKind.choices)
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    name_zh = models.CharField(_("Chinese name"), max_length=100, blank=True)
    responsible_party = models.CharField(
        _("responsible party"), max_length=12, choices=ResponsibleParty.choices
    )
    points_small = models.PositiveSmallIntegerField(
        _("points up to the amount band"),
        default=0,
        help_text=_("Penalty points when the amount is at most the band limit."),
    )
    points_large = models.PositiveSmallIntegerField(_("points above the amount band"), default=0)
    amount_band = MoneyField(_("amount band"), default=1000)
    defect_kind = models.CharField(
        _("defect"), max_length=10, choices=DefectKind.choices, blank=True, default=DefectKind.NONE
    )
    needs_technical = models.BooleanField(
        _("needs technical confirmation"),
        default=False,
        help_text=_("BOM-change returns are confirmed by the technical department (R-A4)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reason code")
        verbose_name_plural = _("reason codes")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="uniq_reason_code"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def points_for(self, amount):
        return self.points_small if amount <= self.amount_band else self.points_large


class RequestBase(models.Model):
    """What return and replenish requests share: reason, applicant, rejection, times."""

    reason = models.ForeignKey(
        ReasonCode, on_delete=models.PROTECT, related_name="+", verbose_name=_("reason")
    )
    explanation = models.TextField(_("explanation"), blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("applicant"),
    )
    rejection_reason = models.CharField(_("rejection reason"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        abstract = True
