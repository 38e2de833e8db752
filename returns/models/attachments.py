"""Photos and PDFs attached to requests for their approvers (issue #6)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from returns.models.reasons import RequestKind
from returns.models.replenishments import ReplenishRequest
from returns.models.return_requests import ReturnRequest


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
