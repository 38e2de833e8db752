"""Log records name the request they belong to, so an API client's ``request_id`` (in a
500 answer and its ``X-Request-Id`` header) finds the traceback: Django's ``django.request``
logger passes the request with every error it logs; any other line written while a request
or the task it caused runs takes the id bound in ``core.request_id``.

``LOG_FORMAT=json`` (the default with DEBUG off) writes one JSON object per line
(python-json-logger) for a log collector; ``text`` is the readable form for development."""

import logging

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

from core.request_id import current_request_id

NO_REQUEST = "-"
JSON_FIELDS = ("asctime", "levelname", "name", "message", "request_id")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = (
            getattr(request, "request_id", None) or current_request_id() or NO_REQUEST
        )
        return True


class JsonFormatter(BaseJsonFormatter):
    """One JSON object a line: time, level, logger, message, request_id and any ``extra``;
    the request object Django attaches is not serialisable and is left out."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", JSON_FIELDS)
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request", "server_time"])
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)
