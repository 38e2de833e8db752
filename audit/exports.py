"""Audit trail exports for auditors (R-U1): CSV streamed, Excel, both through core.excel
(which neutralises formulas and escapes characters XML forbids, issue #12)."""

import io
import json

from django.utils import timezone
from django.utils.translation import gettext as _

from core.excel import Column, csv_lines, sheet_write, workbook_new

EXPORT_LIMIT = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def headers():
    return [
        _("Stream"),
        _("Sequence"),
        _("Time"),
        _("User"),
        _("Device"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Before"),
        _("After"),
        _("Hash"),
    ]


def as_json(details):
    return json.dumps(details, ensure_ascii=False, default=str) if details else ""


def event_row(event):
    return [
        event.stream,
        event.seq,
        timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        event.actor_username,
        event.device_id,
        event.action,
        event.object_type,
        event.object_id,
        event.object_repr,
        as_json(event.before),
        as_json(event.after),
        event.hash,
    ]


def events_csv(events):
    """CSV lines, header first; one event at a time so large exports stream."""
    return csv_lines(headers(), (event_row(e) for e in events.iterator(chunk_size=2000)))


def workbook_bytes(events):
    workbook = workbook_new()
    widths = [8, 10, 20, 14, 12, 24, 20, 12, 30, 40, 40, 20]
    columns = [Column(header, width) for header, width in zip(headers(), widths, strict=True)]
    sheet_write(workbook, _("Audit events"), columns, (event_row(e) for e in events.iterator()))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
