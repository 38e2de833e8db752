"""Return (退料) and replenish (补料) requests, shortage slips and reason codes
(R-R1…R-R8, R-P1…R-P4, R-J3)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import MoneyField, QuantityField


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
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("QC inspector"),
    )
    inspected_at = models.DateTimeField(_("QC verdict at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("received by"),
    )
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("posted by"),
    )
    posted_at = models.DateTimeField(_("posted"), null=True, blank=True, db_index=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
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


class Condition(models.TextChoices):
    GOOD = "good", _("good / unused")
    DAMAGED = "damaged", _("damaged")
    DEFECTIVE = "defective", _("defective")


class Verdict(models.TextChoices):
    """R-R4: QC's verdict decides where the returned unit goes."""

    GOOD = "good", _("good – back to stock")
    SUPPLIER_DEFECT = "supplier_defect", _("supplier defect – supplier-return area")
    PROCESS_DEFECT = "process_defect", _("process defect – scrap / rework")


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
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("replenish request")
        verbose_name_plural = _("replenish requests")
        ordering = ["-id"]
        permissions = [("issue_replenishment", _("Can issue replenishments from stock"))]

    def __str__(self):
        return self.number or f"RP-draft-{self.pk}"


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


class ShortageState(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class ShortageSlip(models.Model):
    """R-P4: what the warehouse could not issue, for material control to chase."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    replenish_line = models.ForeignKey(
        ReplenishLine, on_delete=models.PROTECT, related_name="shortages"
    )
    material = models.ForeignKey(
        "materials.Material", on_delete=models.PROTECT, related_name="+", verbose_name=_("material")
    )
    quantity = QuantityField(_("short quantity"))
    state = models.CharField(
        _("state"),
        max_length=6,
        choices=ShortageState.choices,
        default=ShortageState.OPEN,
        db_index=True,
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        verbose_name = _("shortage slip")
        verbose_name_plural = _("shortage slips")
        ordering = ["-id"]

    def __str__(self):
        return self.number


class RequestAttachment(models.Model):
    """A photo of the defect or a PDF (QC report, supplier note) attached to a return or
    replenish request for its approvers (issue #6).

    Two nullable foreign keys with exactly one set (a check constraint), not a generic
    foreign key: the database keeps referential integrity, and both request models get an
    ``attachments`` reverse accessor that pages and the inbox prefetch, without changing the
    request models. The file lives under MEDIA_ROOT with a random name and is only ever served
    by the scoped download view, never by a URL of the storage.
    """

    return_request = models.ForeignKey(
        ReturnRequest,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("return request"),
    )
    replenish_request = models.ForeignKey(
        ReplenishRequest,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("replenish request"),
    )
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("request attachment")
        verbose_name_plural = _("request attachments")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(return_request__isnull=False, replenish_request__isnull=True)
                | models.Q(return_request__isnull=True, replenish_request__isnull=False),
                name="attachment_of_one_request",
            ),
        ]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        """The scoped download view (404 outside the user's workshops)."""
        request_id = self.return_request_id or self.replenish_request_id
        return reverse(
            "returns:attachment_download",
            kwargs={"kind": self.kind, "pk": request_id, "attachment": self.pk},
        )

    @property
    def request(self):
        return self.return_request or self.replenish_request

    @property
    def kind(self):
        return RequestKind.RETURN if self.return_request_id else RequestKind.REPLENISH

    @property
    def is_image(self):
        return self.content_type.startswith("image/")
