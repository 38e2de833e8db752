"""Tamper-evident audit trail (R-U1).

Each event stores the hash of its predecessor and its own HMAC over its content under a key
kept outside the database (``audit.keys``), so a row altered or removed behind the database's
back breaks the chain and cannot be re-hashed without the key; ``ChainHead`` remembers the
newest link so that rows cut off the end are noticed too, and the daily anchor sent to the ERP
(``audit.anchors``) catches a rewrite by someone who holds the key as well.

The trail is several such chains, its streams (issue #17 item 7): an event joins the stream of
its request (``audit.services.stream_for``), so bookings of different requests lock different
heads instead of all queuing on one. ``seq`` counts within a stream; stream 0 holds every row
written before streams, unchanged, and whatever runs outside a request.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.immutable import AppendOnlyModel


class AuditEvent(AppendOnlyModel):
    stream = models.PositiveSmallIntegerField(_("stream"), default=0)
    seq = models.PositiveBigIntegerField(_("sequence"))
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_username = models.CharField(_("actor username"), max_length=150, blank=True)
    device_id = models.CharField(_("device"), max_length=64, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # Which AUDIT_HMAC_KEYS entry signed the row; empty on rows from before keyed hashing.
    key_id = models.CharField(_("key"), max_length=32, blank=True, default="")
    # The X-Request-Id of the request (or the task it caused) that wrote the row: finds its
    # log lines. Hashed when present, so rows from before the field keep their hashes.
    request_id = models.CharField(
        _("request id"), max_length=64, blank=True, default="", db_index=True
    )

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # Insertion order: seq only orders the rows of one stream.
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="audit_event_stream_seq")
        ]

    def __str__(self):
        link = link_name(self.stream, self.seq)
        return f"#{link} {self.action} {self.object_type}:{self.object_id}"


def link_name(stream: int, seq: int) -> str:
    """How messages and anchors name a row: ``seq`` in stream 0 (as before streams),
    ``stream:seq`` in the others."""
    return f"{stream}:{seq}" if stream else str(seq)


class ChainHead(models.Model):
    """One stream's head: the row that serialises appends to the stream and remembers its end."""

    stream = models.PositiveSmallIntegerField(_("stream"), primary_key=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    # The first seq that must be keyed: rows before it may be legacy (unkeyed) ones.
    keyed_from = models.PositiveBigIntegerField(default=1)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return f"audit chain head #{link_name(self.stream, self.last_seq)}"
