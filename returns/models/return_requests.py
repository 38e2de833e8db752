"""Return requests (退料) and their lines: states, the one transitions map (R-R3), QC
verdicts (R-R4) and receipt (R-R6)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import QuantityField, UserStampField
from returns.models.reasons import RequestBase


class ReturnState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    REVIEWED = "reviewed", _("reviewed")
    INSPECTED = "inspected", _("QC verdict given")
    RECEIVED = "received", _("received")
    POSTED = "posted", _("posted")
    CONFIRMED = "confirmed", _("finance confirmed")
    REJECTED = "rejected", _("rejected")
    CANCELLED = "cancelled", _("cancelled")


# R-R3: the one map of allowed moves; rejection sends the slip back to the applicant.
RETURN_TRANSITIONS = {
    ReturnState.DRAFT: {ReturnState.SUBMITTED, ReturnState.CANCELLED},
    ReturnState.SUBMITTED: {ReturnState.REVIEWED, ReturnState.REJECTED, ReturnState.CANCELLED},
    ReturnState.REVIEWED: {ReturnState.INSPECTED, ReturnState.REJECTED, ReturnState.CANCELLED},
    ReturnState.INSPECTED: {ReturnState.RECEIVED, ReturnState.REJECTED, ReturnState.CANCELLED},
    ReturnState.RECEIVED: {ReturnState.POSTED, ReturnState.REJECTED, ReturnState.CANCELLED},
    ReturnState.POSTED: {ReturnState.CONFIRMED},
    ReturnState.CONFIRMED: set(),
    ReturnState.REJECTED: {ReturnState.SUBMITTED, ReturnState.CANCELLED},
    ReturnState.CANCELLED: set(),
}
# The API action that moves a return into each state (scanners show what can be done next).
RETURN_ACTIONS = {
    ReturnState.SUBMITTED: "submit",
    ReturnState.REVIEWED: "review",
    ReturnState.INSPECTED: "qc-verdict",
    ReturnState.RECEIVED: "receive",
    ReturnState.POSTED: "post",
    ReturnState.CONFIRMED: "confirm",
    ReturnState.REJECTED: "reject",
    ReturnState.CANCELLED: "cancel",
}
RETURN_FINISHED = {ReturnState.POSTED, ReturnState.CONFIRMED, ReturnState.CANCELLED}


class ReturnRequest(RequestBase):
    number = models.CharField(
        _("number"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Given at submission: RT-YYYYMM-NNNN."),
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        on_delete=models.PROTECT,
        related_name="return_requests",
        verbose_name=_("work order"),
    )
    warehouse_category = models.ForeignKey(
        "materials.WarehouseCategory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("warehouse category"),
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ReturnState.choices,
        default=ReturnState.DRAFT,
        db_index=True,
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    inspected_by = UserStampField(_("QC inspector"))
    inspected_at = models.DateTimeField(_("QC verdict at"), null=True, blank=True)
    received_by = UserStampField(_("received by"))
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    posted_by = UserStampField(_("posted by"))
    posted_at = models.DateTimeField(_("posted"), null=True, blank=True, db_index=True)
    confirmed_by = UserStampField(_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")
        ordering = ["-id"]
        # Separate duties (R-R3): QC, the warehouse and finance each act on their own step.
        permissions = [
            ("give_qc_verdict", _("Can give the QC verdict on returned material")),
            ("receive_return", _("Can check and receive returned material")),
            ("post_return", _("Can post returns to the stock ledger")),
            ("confirm_return", _("Can confirm posted returns")),
        ]

    def __str__(self):
        return self.number or f"RT-draft-{self.pk}"

    def get_absolute_url(self):
        return reverse("returns:request_detail", args=["return", self.pk])


class Condition(models.TextChoices):
    GOOD = "good", _("good / unused")
    DAMAGED = "damaged", _("damaged")
    DEFECTIVE = "defective", _("defective")


class Verdict(models.TextChoices):
    """R-R4: QC's verdict decides where the returned unit goes."""

    GOOD = "good", _("good – back to stock")
    SUPPLIER_DEFECT = "supplier_defect", _("supplier defect – supplier-return area")
    PROCESS_DEFECT = "process_defect", _("process defect – scrap / rework")
    # R-R9: neither good nor failed yet; quarantined under a nonconforming-material record.
    SUSPECT = "suspect", _("suspect – quarantine, nonconforming record")


class ReturnLine(models.Model):
    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
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
    quantity = QuantityField(_("quantity"))
    condition = models.CharField(
        _("condition"), max_length=10, choices=Condition.choices, default=Condition.GOOD
    )
    excess_explanation = models.CharField(
        _("excess explanation"),
        max_length=300,
        blank=True,
        help_text=_("Why more is returned than was issued (temporary issue, R-R6)."),
    )
    verdict = models.CharField(_("QC verdict"), max_length=16, choices=Verdict.choices, blank=True)
    defect_rate = models.DecimalField(
        _("defect rate %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    qc_note = models.CharField(_("QC note"), max_length=300, blank=True)
    received_qty = QuantityField(_("received quantity"), null=True, blank=True, default=None)
    foreign_qty = QuantityField(_("foreign material found"), default=0)
    location = models.ForeignKey(
        "materials.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("put-away location"),
        help_text=_("Recorded by the keeper; empty means the original location (R-M5)."),
    )
    receive_note = models.CharField(_("receiving note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ["id"]

    def __str__(self):
        return f"{self.request}: {self.material.code} × {self.quantity}"
