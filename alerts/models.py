"""Alerts on overdue or risky objects (R-J2, R-W5, R-A7, R-L4, R-L5) and the in-app
notifications they send.

An alert is *open* until ``cleared_at`` is set; at most one open alert exists per kind and
object, so a check that runs every hour raises it once and notifies once.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alerts.messages import NotificationKind, message_body, message_title


class AlertKind(models.TextChoices):
    LEFTOVER_OVERDUE = "leftover_overdue", _("leftover not returned")
    RETURN_NOT_RECEIVED = "return_not_received", _("approved return not received")
    BORROW_OVERDUE = "borrow_overdue", _("borrowed material not regularised")
    APPROVAL_OVERDUE = "approval_overdue", _("approval past its SLA")
    APPROVAL_ESCALATED = "approval_escalated", _("approval escalated")
    LOT_EXPIRING = "lot_expiring", _("lot near expiry")
    BELOW_SAFETY_STOCK = "below_safety_stock", _("below safety stock")
    REPLACEMENT_DEBT = "replacement_debt", _("replacement not yet returned")


class AlertLevel(models.TextChoices):
    WARNING = "warning", _("warning")
    REMINDER = "reminder", _("reminder")
    ESCALATION = "escalation", _("escalation")


ALERT_TITLE = _("%(level)s: %(kind)s")

# What each kind says; its params are stored on the alert, so the text follows the reader's
# language when shown in the app.
MESSAGES = {
    AlertKind.LEFTOVER_OVERDUE: _(
        "Work order %(work_order)s was completed at %(completed_at)s; its leftover material "
        "(%(materials)s) is still not returned or declared consumed."
    ),
    AlertKind.RETURN_NOT_RECEIVED: _(
        "Return %(number)s was approved at %(reviewed_at)s and is still not received by the "
        "warehouse."
    ),
    AlertKind.BORROW_OVERDUE: _(
        "Borrowed issue %(number)s for work order %(work_order)s was due to be regularised "
        "by %(due_at)s."
    ),
    AlertKind.APPROVAL_OVERDUE: _(
        "The %(tier)s approval of %(request)s was due at %(due_at)s and is still pending."
    ),
    AlertKind.APPROVAL_ESCALATED: _(
        "Escalated: the %(tier)s approval of %(request)s was due at %(due_at)s and is still "
        "pending."
    ),
    AlertKind.LOT_EXPIRING: _(
        "Lot %(batch_no)s of %(material)s expires on %(expiry_date)s; %(on_hand)s still in stock."
    ),
    AlertKind.BELOW_SAFETY_STOCK: _(
        "%(material)s: %(on_hand)s on hand is below the safety stock of %(safety_stock)s; "
        "suggested order %(suggested)s."
    ),
    AlertKind.REPLACEMENT_DEBT: _(
        "%(replenishment)s replaced %(quantity)s of %(material)s ahead of defect return "
        "%(return)s at %(opened_at)s; %(open)s is still not returned and posted."
    ),
}


class Alert(models.Model):
    kind = models.CharField(_("kind"), max_length=24, choices=AlertKind.choices, db_index=True)
    level = models.CharField(
        _("level"), max_length=12, choices=AlertLevel.choices, default=AlertLevel.WARNING
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name=_("object type")
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    subject = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("object"), max_length=200)
    params = models.JSONField(_("message parameters"), default=dict, blank=True)
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True, db_index=True)
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="alerts", verbose_name=_("recipients")
    )

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id"],
                condition=Q(cleared_at__isnull=True),
                name="uniq_open_alert",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.object_repr}"

    @property
    def is_open(self):
        return self.cleared_at is None

    @property
    def message(self):
        return MESSAGES[self.kind] % self.params

    @property
    def title(self):
        return ALERT_TITLE % {
            "level": self.get_level_display().capitalize(),
            "kind": self.get_kind_display(),
        }


class Notification(models.Model):
    """One message in a user's inbox; also e-mailed when the user has an address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    alert = models.ForeignKey(
        Alert,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
        verbose_name=_("alert"),
    )
    kind = models.CharField(
        _("kind"), max_length=24, choices=NotificationKind.choices, blank=True, db_index=True
    )
    message = models.CharField(_("message code"), max_length=24, blank=True)
    params = models.JSONField(_("message parameters"), default=dict, blank=True)
    event_key = models.CharField(
        _("event"),
        max_length=120,
        blank=True,
        help_text=_("What happened, once per user: a repeated event tells nobody again."),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_read")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event_key"],
                condition=~Q(event_key=""),
                name="uniq_notification_event",
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.title}"

    # An alert's or a workflow notification is shown in the reader's language (the alert or
    # the row keeps its parameters); others show the text stored when they were sent. Select
    # the alert along.
    @property
    def shown_title(self):
        if self.alert_id:
            return self.alert.title
        return message_title(self.message, self.params) if self.message else self.title

    @property
    def shown_body(self):
        if self.alert_id:
            return self.alert.message
        return message_body(self.message, self.params) if self.message else self.body


class NotificationPreference(models.Model):
    """Whether ``user`` is e-mailed notifications of ``kind``; no row means yes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    email = models.BooleanField(_("e-mail"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="uniq_notification_preference"),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()}"
