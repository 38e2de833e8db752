"""Nonconforming-material records (不合格品处理单, R-R9): suspect material waits in quarantine
until QC and production sign off jointly and the keeper carries out the disposition."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import QuantityField, UserStampField
from returns.models.return_requests import ReturnLine, ReturnRequest


class NonconformingState(models.TextChoices):
    SIGNING = "signing", _("awaiting sign-off")
    SIGNED = "signed", _("signed – awaiting disposition")
    CLOSED = "closed", _("disposed and closed")
    CANCELLED = "cancelled", _("cancelled")


# The one map of allowed moves (STYLE "State machines").
NONCONFORMING_TRANSITIONS = {
    NonconformingState.SIGNING: {NonconformingState.SIGNED, NonconformingState.CANCELLED},
    NonconformingState.SIGNED: {NonconformingState.CLOSED, NonconformingState.CANCELLED},
    NonconformingState.CLOSED: set(),
    NonconformingState.CANCELLED: set(),
}
NONCONFORMING_LIVE = [NonconformingState.SIGNING, NonconformingState.SIGNED]


class Disposition(models.TextChoices):
    """R-R9: what becomes of suspect material once QC and production have signed."""

    USE_AS_IS = "use_as_is", _("use as is")
    REWORK = "rework", _("rework")
    SCRAP = "scrap", _("scrap")
    RETURN_TO_SUPPLIER = "return_to_supplier", _("return to supplier")


class NonconformingRecord(models.Model):
    """One record per suspect return line: a line has one material, lot, quantity and
    quarantine location, and two lines of one slip may well get different dispositions.

    ``applicant`` is the return's applicant and ``work_order`` the return's: the approval
    steps take them as requester and scope, as for the requests they route."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    return_line = models.ForeignKey(
        ReturnLine,
        on_delete=models.PROTECT,
        related_name="nonconforming_records",
        verbose_name=_("return line"),
    )
    return_request = models.ForeignKey(
        ReturnRequest,
        on_delete=models.PROTECT,
        related_name="nonconforming_records",
        verbose_name=_("return request"),
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("work order"),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("applicant"),
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
    problem = models.CharField(_("problem description"), max_length=300)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=NonconformingState.choices,
        default=NonconformingState.SIGNING,
        db_index=True,
    )
    dispute = models.CharField(_("last dispute"), max_length=500, blank=True)
    raised_by = UserStampField(_("raised by"))
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    disposition = models.CharField(
        _("disposition"), max_length=20, choices=Disposition.choices, blank=True, db_index=True
    )
    disposition_note = models.CharField(_("disposition note"), max_length=300, blank=True)
    disposed_qty = QuantityField(_("quantity moved"), null=True, blank=True, default=None)
    destination = models.ForeignKey(
        "materials.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("moved to"),
    )
    disposed_by = UserStampField(_("disposed by"))
    disposed_at = models.DateTimeField(_("disposed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("nonconforming-material record")
        verbose_name_plural = _("nonconforming-material records")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["return_line"],
                condition=models.Q(state__in=["signing", "signed", "closed"]),
                name="one_live_nonconforming_per_line",
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("returns:nonconforming_detail", args=[self.pk])

    @property
    def quantity(self):
        """What sits in quarantine: the received quantity once received, else the slip's."""
        line = self.return_line
        return line.quantity if line.received_qty is None else line.received_qty

    @property
    def location(self):
        """The quarantine location the keeper put the material away in (after receipt)."""
        return self.return_line.location
