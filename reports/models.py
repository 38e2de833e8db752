"""Export jobs: a large Excel export built by a Celery task while the user watches its
progress, then downloaded (the file lives under MEDIA_ROOT/exports/)."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportKind(models.TextChoices):
    LEDGER = "ledger", _("stock ledger")
    RECALL = "recall", _("recall list")
    VARIANCE = "variance", _("consumption variance")
    MONTH_END = "month_end", _("month-end workbook")
    SUPPLIER_QUALITY = "supplier_quality", _("supplier quality scorecard")


class ExportState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ExportJob(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=ExportKind.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=16)
    state = models.CharField(
        _("state"),
        max_length=8,
        choices=ExportState.choices,
        default=ExportState.QUEUED,
        db_index=True,
    )
    progress = models.PositiveSmallIntegerField(
        _("progress %"), default=0, validators=[MaxValueValidator(100)]
    )
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_done(self):
        return self.state == ExportState.DONE and bool(self.file)

    def filename(self):
        """What the browser saves: kind, number and day, e.g. ``ledger-12-20261122.xlsx``."""
        return f"{self.kind}-{self.pk}-{self.created_at:%Y%m%d}.xlsx"
