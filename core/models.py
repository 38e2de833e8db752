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
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="uniq_idempotency_key")
        ]

    def __str__(self):
        return f"{self.key} {self.method} {self.path}"
