"""Replenish requests (补料), their lines and the one-for-one citations of defective
return lines (R-P1…R-P3)."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import MoneyField, QuantityField, UserStampField
from returns.models.reasons import RequestBase
from returns.models.return_requests import ReturnLine


class ReplenishState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("awaiting approval")
    APPROVED = "approved", _("approved")
    SHORT = "short", _("issued short")
    ISSUED = "issued", _("issued")
    REJECTED = "rejected", _("rejected")
    CANCELLED = "cancelled", _("cancelled")


REPLENISH_TRANSITIONS = {
    ReplenishState.DRAFT: {ReplenishState.SUBMITTED, ReplenishState.CANCELLED},
    ReplenishState.SUBMITTED: {
        ReplenishState.APPROVED,
        ReplenishState.REJECTED,
        ReplenishState.CANCELLED,
    },
    ReplenishState.APPROVED: {
        ReplenishState.ISSUED,
        ReplenishState.SHORT,
        ReplenishState.CANCELLED,
    },
    ReplenishState.SHORT: {ReplenishState.ISSUED},
    ReplenishState.ISSUED: set(),
    ReplenishState.REJECTED: {ReplenishState.SUBMITTED, ReplenishState.CANCELLED},
    ReplenishState.CANCELLED: set(),
}
REPLENISH_ACTIONS = {
    ReplenishState.SUBMITTED: "submit",
    ReplenishState.APPROVED: "approve",
    ReplenishState.ISSUED: "issue",
    ReplenishState.SHORT: "issue",
    ReplenishState.REJECTED: "reject",
    ReplenishState.CANCELLED: "cancel",
}
REPLENISH_FINISHED = {ReplenishState.ISSUED, ReplenishState.CANCELLED}


class ReplenishRequest(RequestBase):
    number = models.CharField(
        _("number"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Given at submission: RP-YYYYMM-NNNN."),
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        on_delete=models.PROTECT,
        related_name="replenish_requests",
        verbose_name=_("work order"),
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ReplenishState.choices,
        default=ReplenishState.DRAFT,
        db_index=True,
    )
    amount = MoneyField(_("amount at standard cost"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    issued_by = UserStampField(_("issued by"))
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("replenish request")
        verbose_name_plural = _("replenish requests")
        ordering = ["-id"]
        permissions = [("issue_replenishment", _("Can issue replenishments from stock"))]

    def __str__(self):
        return self.number or f"RP-draft-{self.pk}"

    def get_absolute_url(self):
        return reverse("returns:request_detail", args=["replenish", self.pk])


class ReplenishLine(models.Model):
    request = models.ForeignKey(ReplenishRequest, on_delete=models.CASCADE, related_name="lines")
    material = models.ForeignKey(
        "materials.Material", on_delete=models.PROTECT, related_name="+", verbose_name=_("material")
    )
    quantity = QuantityField(_("quantity"))
    issued_qty = QuantityField(_("issued"))
    short_qty = QuantityField(_("short"))

    class Meta:
        verbose_name = _("replenish line")
        verbose_name_plural = _("replenish lines")
        ordering = ["id"]

    def __str__(self):
        return f"{self.request}: {self.material.code} × {self.quantity}"


class ReplacementCitation(models.Model):
    """One-for-one (R-P2): a replenish line replaces defective quantity of a return line."""

    replenish_line = models.ForeignKey(
        ReplenishLine, on_delete=models.CASCADE, related_name="citations"
    )
    return_line = models.ForeignKey(
        ReturnLine, on_delete=models.PROTECT, related_name="replacements"
    )
    quantity = QuantityField(_("quantity replaced"))

    class Meta:
        verbose_name = _("replacement citation")
        verbose_name_plural = _("replacement citations")

    def __str__(self):
        return f"{self.replenish_line} replaces {self.return_line}"
