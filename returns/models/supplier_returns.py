"""Supplier returns (退供应商) and their claims (R-S2, seed 002 料废 §4.1.3, seed 003 §5.7.6).

Material QC judged a supplier defect lies in a supplier-return area (R-R4). The warehouse
opens a supplier return of one supplier's lots from there; the warehouse supervisor and the
MC supervisor sign it, the supplier acknowledges it, posting writes ``SUPPLIER_RETURN``
entries and opens the claim (a debit note for the ERP). The claim is closed within 7 days by
a replacement receipt citing the return or by a credit note.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.fields import MoneyField, QuantityField, UnitCostField, UserStampField


class SupplierReturnState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("awaiting signatures")
    # "signed" alone is the signed_at column (签核时间); the state needs its own word.
    SIGNED = "signed", pgettext_lazy("supplier return state", "signed")
    POSTED = "posted", _("posted, claim open")
    CLOSED = "closed", _("claim closed")
    REJECTED = "rejected", _("rejected")
    CANCELLED = "cancelled", _("cancelled")


SUPPLIER_RETURN_TRANSITIONS = {
    SupplierReturnState.DRAFT: {SupplierReturnState.SUBMITTED, SupplierReturnState.CANCELLED},
    SupplierReturnState.SUBMITTED: {
        SupplierReturnState.SIGNED,
        SupplierReturnState.REJECTED,
        SupplierReturnState.CANCELLED,
    },
    SupplierReturnState.SIGNED: {SupplierReturnState.POSTED, SupplierReturnState.CANCELLED},
    SupplierReturnState.POSTED: {SupplierReturnState.CLOSED},
    SupplierReturnState.CLOSED: set(),
    SupplierReturnState.REJECTED: {SupplierReturnState.SUBMITTED, SupplierReturnState.CANCELLED},
    SupplierReturnState.CANCELLED: set(),
}
# The API action that moves a supplier return into each state.
SUPPLIER_RETURN_ACTIONS = {
    SupplierReturnState.SUBMITTED: "submit",
    SupplierReturnState.POSTED: "post",
    SupplierReturnState.CLOSED: "replacement",
    SupplierReturnState.CANCELLED: "cancel",
}
# R-S2: the replacement or credit must be done within this many days of posting.
CLAIM_DAYS = 7


class ClaimClosure(models.TextChoices):
    REPLACEMENT = "replacement", _("replacement received")
    CREDIT = "credit", _("credit note")


class SupplierReturn(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    supplier = models.ForeignKey(
        "materials.Supplier",
        on_delete=models.PROTECT,
        related_name="supplier_returns",
        verbose_name=_("supplier"),
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=SupplierReturnState.choices,
        default=SupplierReturnState.DRAFT,
        db_index=True,
    )
    # Named as on the requests: approvals reads the applicant (no self-approval, R-A6).
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("raised by"),
    )
    reason = models.CharField(
        _("return reason"),
        max_length=300,
        help_text=_("What is wrong with the material, as QC states it."),
    )
    claim_amount = MoneyField(_("claim amount"))
    rejection_reason = models.CharField(_("rejection reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    acknowledged_by = models.CharField(_("acknowledged by (supplier)"), max_length=80, blank=True)
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    acknowledgement = models.FileField(
        _("acknowledgement"), upload_to="supplier_returns/%Y/%m/", max_length=200, blank=True
    )
    posted_by = UserStampField(_("posted by"))
    posted_at = models.DateTimeField(_("posted"), null=True, blank=True, db_index=True)
    closure = models.CharField(
        _("closed by"), max_length=12, choices=ClaimClosure.choices, blank=True
    )
    credit_note = models.CharField(_("credit note number"), max_length=40, blank=True)
    credit_amount = MoneyField(_("credit amount"), null=True, blank=True, default=None)
    closed_by = UserStampField(_("closed by (user)"))
    closed_at = models.DateTimeField(_("claim closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("supplier return")
        verbose_name_plural = _("supplier returns")
        ordering = ["-id"]
        permissions = [
            ("handle_supplier_return", _("Can raise, post and close supplier returns")),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("returns:supplier_return_detail", args=[self.pk])


class SupplierReturnLine(models.Model):
    supplier_return = models.ForeignKey(
        SupplierReturn, on_delete=models.CASCADE, related_name="lines"
    )
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
    location = models.ForeignKey(
        "materials.Location",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("supplier-return area"),
    )
    serials = models.JSONField(_("serial numbers"), default=list, blank=True)
    quantity = QuantityField(_("quantity"))
    unit_value = UnitCostField(_("unit value"))
    replaced_qty = QuantityField(_("replaced"))

    class Meta:
        verbose_name = _("supplier return line")
        verbose_name_plural = _("supplier return lines")
        ordering = ["id"]

    def __str__(self):
        return f"{self.supplier_return}: {self.material.code} × {self.quantity}"

    @property
    def value(self):
        return self.quantity * self.unit_value

    @property
    def open_qty(self):
        return self.quantity - self.replaced_qty
