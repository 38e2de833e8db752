"""Points and rewards (R-J3 sharpened, seed 002 附件 退、补料奖罚措施) as versioned data.

A ``PointScheme`` version holds the table's cells (``PointRule``: a behaviour of a
department, an amount band, what the cell says) and which reason codes stand for which
behaviour (``ReasonBehaviour``). An administrator changes the table by copying the active
version into a new one (``finance.points.scheme.point_scheme_copy``); every ``PointEntry``
keeps the version and the cell it was written under.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import MoneyField
from returns.models import RequestKind, ResponsibleParty


class Behaviour(models.TextChoices):
    """The table's rows (奖罚项目 / 问题描述), by section and department."""

    # 退料 · 生产部门 · 退料不及时
    DEFECT_USED = "defect_used", _("defective material used anyway")
    WRONG_SPEC_KEPT = "wrong_spec_kept", _("wrong-spec material kept at the line")
    OVER_ISSUE_KEPT = "over_issue_kept", _("over-issued material not returned")
    SURPLUS_NOT_RETURNED = "surplus_not_returned", _("surplus or unneeded material not returned")
    ORDER_CUT_NOT_RETURNED = "order_cut_not_returned", _("material not returned after an order cut")
    # 退料 · 生产部门 · 手续不规范 / 其他 / 节约材料退库
    IRREGULAR_SLIP = "irregular_slip", _("irregular return slip")
    OTHER = "other", _("other irregular handling")
    SAVING = "saving", _("saving material returned")
    # 退料 · 仓储部 / 技术部 / 计划部
    WAREHOUSE_OVER_ISSUE = "warehouse_over_issue", _("over-quota issue returned")
    UNCHECKED_ISSUE = "unchecked_issue", _("issue not checked")
    BOM_CHANGE = "bom_change", _("BOM change")
    PLAN_CHANGE = "plan_change", _("order plan change")
    # 补料 · 生产部门
    OPERATOR_SCRAP = "operator_scrap", _("operator scrap")
    DEFECT_NOT_PROCESSED = (
        "defect_not_processed",
        _("supplier defect not taken to the warehouse in time"),
    )
    OVER_QUOTA = "over_quota", _("over-quota loss")
    # 补料 · 仓储部
    SHORT_MISCOUNT = "short_miscount", _("short material from a miscount")
    LAX_AUTHORITY_CHECK = "lax_authority_check", _("replenishment without the authority check")
    WRONG_ISSUE = "wrong_issue", _("wrong material issued")
    # 补料 · 技术部 / 品质部 / 计划部
    BOM_ERROR = "bom_error", _("BOM error")
    LAX_INSPECTION = "lax_inspection", _("material defect let through by inspection")
    PLAN_CHANGE_REPLENISH = "plan_change_replenish", _("plan change not told to the workshop")


class BandKind(models.TextChoices):
    """The table's columns: what the amount of a band measures."""

    EACH = "each", _("each occurrence")
    UNUSED = "unused", _("unused")
    LOSS = "loss", _("loss")
    OVER_QUOTA = "over_quota", _("over quota")
    SAVING = "saving", _("saving")
    NOT_IN_TIME = "not_in_time", _("not taken to the warehouse in time")


class CellKind(models.TextChoices):
    """What a cell of the table says."""

    PER_OCCURRENCE = "per_occurrence", _("penalty points per occurrence")
    DEPARTMENT = "department", _("penalty points on the department")
    REWARD = "reward", _("reward points")
    MANAGEMENT_DECIDES = "management_decides", _("management decides")
    PRODUCTION_BEARS = "production_bears", _("production bears the cost")


class Trigger(models.TextChoices):
    """When a reason code makes the system write a point entry by itself."""

    POSTED = "posted", _("return posted or replenishment issued")
    LATE = "late", _("leftovers returned after the deadline")
    REFUSED = "refused", _("return refused by the warehouse")


class EntryOrigin(models.TextChoices):
    AUTOMATIC = "automatic", _("seen by the system")
    SUPERVISOR = "supervisor", _("recorded by a supervisor")
    SPOT_CHECK = "spot_check", _("GM office spot check")


class PointScheme(models.Model):
    """One version of the points and rewards table; the newest active one applies."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    leftover_deadline_hours = models.PositiveIntegerField(
        _("leftover deadline (hours)"),
        default=24,
        help_text=_("Leftovers are due this long after the work order's completion (R-W5)."),
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("points scheme")
        verbose_name_plural = _("points schemes")
        ordering = ["-version"]

    def __str__(self):
        return f"v{self.version} {self.name}"


class PointRule(models.Model):
    """One cell: a behaviour of a department in an amount band and what it earns.

    A band holds amounts ``above`` (exclusive) up to ``up_to`` (inclusive), in yuan; an
    empty bound is open. ``points`` is the size of the cell (no sign): penalties count
    negative, rewards positive; cells where management decides or production bears the
    cost carry no number."""

    scheme = models.ForeignKey(
        PointScheme, on_delete=models.CASCADE, related_name="rules", verbose_name=_("scheme")
    )
    kind = models.CharField(_("section"), max_length=10, choices=RequestKind.choices)
    department = models.CharField(_("department"), max_length=12, choices=ResponsibleParty.choices)
    behaviour = models.CharField(_("behaviour"), max_length=32, choices=Behaviour.choices)
    band = models.CharField(_("band"), max_length=12, choices=BandKind.choices)
    above = MoneyField(_("amount above"), null=True, blank=True, default=None)
    up_to = MoneyField(_("amount up to"), null=True, blank=True, default=None)
    cell = models.CharField(_("cell"), max_length=20, choices=CellKind.choices)
    points = models.PositiveSmallIntegerField(_("points"), null=True, blank=True)
    source = models.CharField(
        _("seed cell"), max_length=200, blank=True, help_text=_("Where the value comes from.")
    )

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["scheme", "kind", "behaviour", "band", "above"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "behaviour", "band", "above"],
                name="uniq_point_rule_band",
            ),
        ]

    def __str__(self):
        return f"{self.get_behaviour_display()} · {self.band_label()}"

    def contains(self, amount: Decimal) -> bool:
        return (self.above is None or amount > self.above) and (
            self.up_to is None or amount <= self.up_to
        )

    def band_label(self) -> str:
        name = self.get_band_display()
        if self.above is not None and self.up_to is not None:
            return f"{name} > {self.above:,.0f} ≤ {self.up_to:,.0f}"
        if self.up_to is not None:
            return f"{name} ≤ {self.up_to:,.0f}"
        if self.above is not None:
            return f"{name} > {self.above:,.0f}"
        return str(name)

    def signed_points(self) -> int:
        """Negative for penalties, positive for rewards, 0 where the cell has no number."""
        if self.points is None:
            return 0
        return self.points if self.cell == CellKind.REWARD else -self.points


class ReasonBehaviour(models.Model):
    """Which behaviour a reason code stands for, and when the system records it by itself.
    An empty ``reason_code`` matches every reason of the kind (a refusal, whatever the
    slip's reason)."""

    scheme = models.ForeignKey(
        PointScheme, on_delete=models.CASCADE, related_name="mappings", verbose_name=_("scheme")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=RequestKind.choices)
    reason_code = models.CharField(_("reason"), max_length=32, blank=True)
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices)
    behaviour = models.CharField(_("behaviour"), max_length=32, choices=Behaviour.choices)

    class Meta:
        verbose_name = _("reason behaviour")
        verbose_name_plural = _("reason behaviours")
        ordering = ["scheme", "kind", "reason_code", "trigger"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "kind", "reason_code", "trigger"], name="uniq_reason_behaviour"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.reason_code or '*'} {self.trigger} → {self.behaviour}"


class PointEntry(models.Model):
    """Points for one event (R-J3): written only by ``finance.points.entries``, audited;
    exactly one per source document and behaviour."""

    scheme = models.ForeignKey(
        PointScheme, on_delete=models.PROTECT, related_name="+", verbose_name=_("scheme")
    )
    rule = models.ForeignKey(
        PointRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("cell")
    )
    behaviour = models.CharField(_("behaviour"), max_length=32, choices=Behaviour.choices)
    department = models.CharField(_("department"), max_length=12, choices=ResponsibleParty.choices)
    cell = models.CharField(_("cell"), max_length=20, choices=CellKind.choices)
    points = models.SmallIntegerField(_("points"), default=0)
    amount = MoneyField(_("amount"), null=True, blank=True, default=None)
    month = models.DateField(_("month"), db_index=True, help_text=_("First day of the month."))
    workshop = models.ForeignKey(
        "org.Workshop",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("workshop"),
    )
    team = models.CharField(_("team"), max_length=100, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person"),
    )
    origin = models.CharField(_("origin"), max_length=12, choices=EntryOrigin.choices)
    source_type = models.CharField(_("source type"), max_length=20)
    source_number = models.CharField(_("source document"), max_length=64)
    note = models.TextField(_("note"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to="points/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("point entry")
        verbose_name_plural = _("point entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_number", "behaviour"],
                name="uniq_point_entry_event",
            ),
        ]

    def __str__(self):
        return f"{self.source_number} {self.behaviour} {self.points:+d}"
