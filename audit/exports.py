"""Audit trail exports for auditors (R-U1): CSV streamed, Excel through core.excel."""

import csv
import io
import json

from django.utils import timezone
from django.utils.translation import gettext as _

from core.excel import Column, sheet_write, workbook_new

EXPORT_LIMIT = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Cells starting with these are formulas to a spreadsheet: prefix them (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def headers():
    return [
        _("Sequence"), _("Time"), _("User"), _("Device"), _("Action"), _("Object type"),
        _("Object id"), _("Object"), _("Before"), _("After"), _("Hash"),
    ]


def safe(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def event_row(event):
    return [
        event.seq,
        timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        safe(event.actor_username),
        safe(event.device_id),
        safe(event.action),
        safe(event.object_type),
        safe(event.object_id),
        safe(event.object_repr),
        safe(json.dumps(event.before, ensure_ascii=False, default=str) if event.before else ""),
        safe(json.dumps(event.after, ensure_ascii=False, default=str) if event.after else ""),
        event.hash,
    ]


def csv_lines(events):
    """CSV lines, header first; one event at a time so large exports stream."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers())
    yield "\ufeff" + buffer.getvalue()  # BOM: Excel opens UTF-8 (Chinese) correctly
    for event in events.iterator(chunk_size=2000):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(event_row(event))
        yield buffer.getvalue()


def workbook_bytes(events):
    workbook = workbook_new()
    widths = [10, 20, 14, 12, 24, 20, 12, 30, 40, 40, 20]
    columns = [Column(header, width) for header, width in zip(headers(), widths, strict=True)]
    sheet_write(workbook, _("Audit events"), columns, (event_row(e) for e in events.iterator()))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
