import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentSequence(models.Model):
    """Gap-free counter per document prefix and month (``RT-202611-0001``)."""

    prefix = models.CharField(_("prefix"), max_length=8)
    period = models.CharField(_("period"), max_length=6, help_text="YYYYMM")
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document sequence")
        verbose_name_plural = _("document sequences")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "period"], name="uniq_sequence_period")
        ]

    def __str__(self):
        return f"{self.prefix}-{self.period}: {self.last_number}"


class IdempotencyKey(models.Model):
    """A POST claimed under an ``Idempotency-Key``: its body hash and the stored response.

    ``scope`` identifies the caller (session user or credential hash), so two devices may
    use the same key without seeing each other's responses.
    """

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=100)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    response_body = models.BinaryField(null=True)
    # where a page's redirect after the work went, so a replay goes there too
    location = models.CharField(max_length=2000, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="uniq_idempotency_key")
        ]

    def __str__(self):
        return f"{self.key} {self.method} {self.path}"


class TokenKind(models.TextChoices):
    DEVICE = "device", _("handheld device")
    INTEGRATION = "integration", _("integration (ERP)")


class ApiToken(models.Model):
    """A revocable API credential for a handheld or the ERP; only its hash is stored."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=TokenKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("acts as user"),
    )
    device_id = models.CharField(
        _("device id"),
        max_length=64,
        blank=True,
        help_text=_("Recorded on audit events when the request sends no X-Device-Id."),
    )
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class OutboxKind(models.TextChoices):
    ERP = "erp", _("ERP event")
    TASK = "task", _("Celery task")


class OutboxEvent(models.Model):
    """Work promised by a transaction, written in it, done after it commits (core.outbox).

    An ERP event (``topic`` names it) is POSTed in id order with retries and kept as the
    delivery log (DESIGN "API"); a task (``topic`` is the Celery task's name, ``payload``
    its ``args`` and ``kwargs``) is handed to the broker and its row deleted."""

    event_id = models.UUIDField(_("event id"), unique=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(
        _("kind"), max_length=4, choices=OutboxKind.choices, default=OutboxKind.ERP
    )
    topic = models.CharField(_("topic"), max_length=200, db_index=True)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        ordering = ["id"]
        # Delivery claims the oldest pending event each time: this index keeps that one
        # lookup cheap however many delivered events the table keeps.
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(delivered_at__isnull=True), name="outbox_pending"
            )
        ]

    def __str__(self):
        return f"{self.topic} {self.event_id}"


class DeliveryAttempt(models.Model):
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    attempted_at = models.DateTimeField(_("attempted"), auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["id"]

    def __str__(self):
        return f"{self.event_id} {self.status_code or self.error}"


class LoginLockout(models.Model):
    """Login attempts of one username from one address (org.lockout). The row is what
    serialises parallel attempts: it is locked while one attempt is counted."""

    username = models.CharField(_("username"), max_length=150)
    ip_address = models.CharField(_("IP address"), max_length=45, blank=True)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"))
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)

    class Meta:
        verbose_name = _("login lockout")
        verbose_name_plural = _("login lockouts")
        ordering = ["-last_attempt_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["username", "ip_address"], name="core_login_lockout_username_ip"
            )
        ]

    def __str__(self):
        return f"{self.username} @ {self.ip_address or '-'}"
