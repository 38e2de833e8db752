"""Finance's month-end (R-J1, R-J3): the summary of a month's returns and replenishments,
its lines and documents. The tables keep their names from when they lived in ``returns``."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import MoneyField, QuantityField, UserStampField
from returns.models import RequestKind, ResponsibleParty


class MonthEndState(models.TextChoices):
    OPEN = "open", _("open")
    CONFIRMED = "confirmed", _("confirmed by finance")


class MonthEnd(models.Model):
    """One month's summary of returns and replenishments (R-J1, R-J3).

    Recomputing replaces its rows (same data, same result); finance's confirmation locks it,
    once the month has ended; finance may reopen it with a reason (issue #15).
    """

    month = models.DateField(_("month"), unique=True, help_text=_("First day of the month."))
    state = models.CharField(
        _("state"), max_length=10, choices=MonthEndState.choices, default=MonthEndState.OPEN
    )
    flag_amount = MoneyField(
        _("spot-check amount"), help_text=_("Replenishments above this go to the GM office.")
    )
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    confirmed_by = UserStampField(_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # The last reopening (issue #15); every one is an audit event with its reason.
    reopened_by = UserStampField(_("reopened by"))
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    class Meta:
        verbose_name = _("month-end summary")
        verbose_name_plural = _("month-end summaries")
        ordering = ["-month"]
        db_table = "returns_monthend"
        permissions = [("confirm_month", _("Can confirm and lock a month"))]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class MonthEndRow(models.Model):
    """What a line and a document of the month both name: kind, workshop, reason and the
    party the reason makes responsible.

    Lines and documents are derived rows: ``month_end_compute`` deletes and rebuilds a
    month's hundred thousand of them in one transaction from the ledger, whose own foreign
    keys already vouch for every material and workshop (via the work order) they name. So
    their foreign keys carry no database constraint (``db_constraint=False``): PostgreSQL's
    deferred check of each inserted row at COMMIT cost about 0.9 s of a 1 M-row month-end
    (issue #17 item 3). ``on_delete`` stays as it was, enforced by Django's deletion
    collector: a material or workshop named by a month-end is protected, a deleted month
    takes its rows along. Every read goes through the month (``month_end``'s index); only
    that rare protection check would use an index on ``workshop`` or ``material``, so they
    have none: fewer index entries written per rebuilt row.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=RequestKind.choices)
    workshop = models.ForeignKey(
        "org.Workshop",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("workshop"),
        db_constraint=False,
        db_index=False,
    )
    reason_code = models.CharField(_("reason"), max_length=32)
    responsible_party = models.CharField(
        _("responsible party"), max_length=12, choices=ResponsibleParty.choices, blank=True
    )

    class Meta:
        abstract = True


class MonthEndLine(MonthEndRow):
    """Quantities and amounts at standard cost per kind, workshop, reason and material."""

    month_end = models.ForeignKey(
        MonthEnd, on_delete=models.CASCADE, related_name="lines", db_constraint=False
    )
    approval_class = models.CharField(_("approval class"), max_length=1)
    material = models.ForeignKey(
        "materials.Material",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("material"),
        db_constraint=False,
        db_index=False,
    )
    quantity = QuantityField(_("quantity"))
    amount = MoneyField(_("amount"))

    class Meta:
        verbose_name = _("month-end line")
        verbose_name_plural = _("month-end lines")
        ordering = ["id"]
        db_table = "returns_monthendline"

    def __str__(self):
        return f"{self.month_end} {self.kind} {self.material_id}: {self.amount}"


class MonthEndDocument(MonthEndRow):
    """One posted return or issued replenishment of the month, with its penalty points."""

    month_end = models.ForeignKey(
        MonthEnd, on_delete=models.CASCADE, related_name="documents", db_constraint=False
    )
    number = models.CharField(_("number"), max_length=64)
    amount = MoneyField(_("amount"))
    points = models.PositiveIntegerField(_("penalty points"), default=0)
    flagged = models.BooleanField(_("spot check"), default=False)

    class Meta:
        verbose_name = _("month-end document")
        verbose_name_plural = _("month-end documents")
        ordering = ["id"]
        db_table = "returns_monthenddocument"

    def __str__(self):
        return f"{self.month_end} {self.number}"
