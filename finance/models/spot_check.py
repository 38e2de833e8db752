"""The GM office's spot check of large replenishments (R-J4, seed 002 §4.3.6, §4.4): a
proposed penalty or reward per flagged document, approved by the executive GM and the GM
before it becomes a point entry."""

from types import SimpleNamespace

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import MoneyField
from finance.models.points import Behaviour, PointEntry, PointRule
from returns.models import ResponsibleParty


class ProposalState(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class SpotCheckProposal(models.Model):
    """A penalty or reward the GM office proposes for a flagged replenishment of a month.

    It names the document by number (month-end documents are rebuilt on every recompute)
    and keeps the cell of the table it was proposed under; ``points`` is signed (negative
    penalty, positive reward) and given by the reviewer where the cell says management
    decides."""

    month = models.DateField(_("month"), db_index=True)
    document_number = models.CharField(_("document"), max_length=64)
    document_amount = MoneyField(_("document amount"))
    workshop = models.ForeignKey(
        "org.Workshop", on_delete=models.PROTECT, related_name="+", verbose_name=_("workshop")
    )
    rule = models.ForeignKey(
        PointRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("cell")
    )
    behaviour = models.CharField(_("behaviour"), max_length=32, choices=Behaviour.choices)
    department = models.CharField(_("department"), max_length=12, choices=ResponsibleParty.choices)
    points = models.SmallIntegerField(_("points"), default=0)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person"),
    )
    note = models.TextField(_("finding"))
    state = models.CharField(
        _("state"), max_length=10, choices=ProposalState.choices, default=ProposalState.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    entry = models.OneToOneField(
        PointEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("point entry"),
    )

    class Meta:
        verbose_name = _("spot-check proposal")
        verbose_name_plural = _("spot-check proposals")
        ordering = ["-created_at", "-id"]
        permissions = [("propose_points", _("Can propose penalties and rewards (GM office)"))]

    def __str__(self):
        return f"{self.document_number} {self.behaviour} {self.points:+d}"

    # What ``approvals.services`` reads of any request it decides (object scope and no
    # self-approval, R-A6): who applied and the work order's workshop.
    @property
    def applicant_id(self) -> int:
        return self.proposed_by_id

    @property
    def work_order(self) -> SimpleNamespace:
        return SimpleNamespace(workshop_id=self.workshop_id, number=self.document_number)
