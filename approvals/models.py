"""The approval matrix as versioned data (R-A1…R-A5), who holds which tier (R-A6) and the
steps a request climbs (R-A3).

A policy version is never edited once a decision used it: an administrator publishes a new
version, and every step remembers the version and matrix cell that put it there.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.fields import MoneyField, QuantityField, UserStampField
from materials.models import ApprovalClass


class Tier(models.TextChoices):
    """Who may sign. The first five form the matrix chain, in this order (R-A2, R-A3)."""

    WORKSHOP_DIRECTOR = "workshop_director", _("workshop director")
    PRODUCTION_MANAGER = "production_manager", _("production manager")
    PRODUCTION_DIRECTOR = "production_director", _("production director")
    EXECUTIVE_GM = "executive_gm", _("executive GM")
    GM = "gm", _("GM")
    SUPERVISOR = "supervisor", _("supervisor")
    TECHNICAL = "technical", _("technical department")
    QC = "qc", _("QC")
    MATERIAL_CONTROL = "material_control", _("material control")
    FINANCE = "finance", _("finance")
    DEPUTY_GM = "deputy_gm", _("deputy GM")
    WAREHOUSE_SUPERVISOR = "warehouse_supervisor", _("warehouse supervisor")
    MC_SUPERVISOR = "mc_supervisor", _("material-control supervisor")


# R-A4 (sharpened): the large-quantity rule is on by default. A replenishment line of more than
# this many units (of any unit of measure) also goes to the deputy GM; an administrator
# changes it, or clears it to turn the rule off, by publishing a new policy version.
DEFAULT_LARGE_QUANTITY = Decimal("500")

MATRIX_CHAIN = [
    Tier.WORKSHOP_DIRECTOR,
    Tier.PRODUCTION_MANAGER,
    Tier.PRODUCTION_DIRECTOR,
    Tier.EXECUTIVE_GM,
    Tier.GM,
]


class PolicyVersion(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True)
    is_active = models.BooleanField(
        _("active"), default=False, help_text=_("The newest active version routes new requests.")
    )
    valuable_amount = MoneyField(
        _("valuable amount"),
        help_text=_("Replenishments worth more than this also go to the deputy GM (R-A4)."),
    )
    large_quantity = QuantityField(
        _("large quantity"),
        null=True,
        blank=True,
        default=DEFAULT_LARGE_QUANTITY,
        help_text=_(
            "Replenishment lines of more than this quantity also go to the deputy GM (R-A4); "
            "500 unless changed; empty: no such rule."
        ),
    )
    sla_hours = models.PositiveIntegerField(_("SLA (hours)"), default=24)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("approval policy version")
        verbose_name_plural = _("approval policy versions")
        ordering = ["-version"]

    def __str__(self):
        return f"v{self.version}"


class OrderBand(models.Model):
    """Order-quantity band; ``upper_bound`` inclusive, NULL for the open top band."""

    policy = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="bands")
    code = models.CharField(_("code"), max_length=16)
    upper_bound = QuantityField(_("upper bound (inclusive)"), null=True, blank=True, default=None)

    class Meta:
        verbose_name = _("order band")
        verbose_name_plural = _("order bands")
        ordering = ["policy", models.F("upper_bound").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(fields=["policy", "code"], name="uniq_band_code"),
        ]

    def __str__(self):
        return self.code


class MatrixCell(models.Model):
    """Highest ratio a tier may approve for one approval class and order band (R-A2)."""

    policy = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="cells")
    approval_class = models.CharField(
        _("approval class"), max_length=1, choices=ApprovalClass.choices
    )
    band = models.ForeignKey(OrderBand, on_delete=models.CASCADE, related_name="cells")
    tier = models.CharField(_("tier"), max_length=24, choices=Tier.choices)
    max_ratio = models.DecimalField(
        _("max ratio"),
        max_digits=9,
        decimal_places=6,
        help_text=_("As a fraction: 0.01 is 1 %. Inclusive."),
    )

    class Meta:
        verbose_name = _("matrix cell")
        verbose_name_plural = _("matrix cells")
        ordering = ["policy", "approval_class", "band", "max_ratio"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "approval_class", "band", "tier"], name="uniq_matrix_cell"
            ),
        ]

    def __str__(self):
        return f"{self.approval_class}/{self.band}/{self.tier} ≤ {self.max_ratio}"


class TierAssignment(models.Model):
    """A user holds a tier for one workshop, or plant-wide when ``workshop`` is empty."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tier_assignments",
        verbose_name=_("user"),
    )
    tier = models.CharField(_("tier"), max_length=24, choices=Tier.choices)
    workshop = models.ForeignKey(
        "org.Workshop",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("workshop"),
    )

    class Meta:
        verbose_name = _("tier assignment")
        verbose_name_plural = _("tier assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "tier", "workshop"], name="uniq_assignment"),
        ]

    def __str__(self):
        scope = self.workshop or _("plant-wide")
        return f"{self.user} – {self.get_tier_display()} ({scope})"


class Delegation(models.Model):
    """``delegate`` acts for ``principal`` from ``starts`` to ``ends`` inclusive (R-A6)."""

    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="delegations_given",
        verbose_name=_("principal"),
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="delegations_received",
        verbose_name=_("delegate"),
    )
    starts = models.DateField(_("from"))
    ends = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=models.F("starts")), name="delegation_dates_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(principal=models.F("delegate")), name="delegation_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.delegate} → {self.principal} ({self.starts}…{self.ends})"


class StepState(models.TextChoices):
    WAITING = "waiting", _("waiting")  # an earlier step is still open
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    CANCELLED = "cancelled", _("cancelled")


class ApprovalStep(models.Model):
    """One signature a request needs; steps are decided in ``sequence`` order."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    request = GenericForeignKey("content_type", "object_id")
    round = models.PositiveSmallIntegerField(
        _("round"), default=1, help_text=_("Resubmitting starts a new round.")
    )
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    tier = models.CharField(_("tier"), max_length=24, choices=Tier.choices)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=StepState.choices,
        default=StepState.WAITING,
        db_index=True,
    )
    workshop = models.ForeignKey(
        "org.Workshop",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("workshop"),
        help_text=_("Empty for a plant-wide document (supplier return): plant-wide holders."),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requester"),
    )
    policy = models.ForeignKey(
        PolicyVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("policy version"),
    )
    context = models.JSONField(
        _("routing context"),
        default=dict,
        blank=True,
        help_text=_("Ratio, band, class and matrix cell used."),
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    decided_by = UserStampField(_("decided by"))
    on_behalf_of = UserStampField(_("on behalf of"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["content_type", "object_id", "round", "sequence"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "round", "sequence"], name="uniq_step_sequence"
            ),
        ]

    def __str__(self):
        return f"{self.request} #{self.sequence} {self.get_tier_display()}: {self.state}"
