"""Log records name the request they belong to, so an API client's ``request_id`` (in a
500 answer and its ``X-Request-Id`` header) finds the traceback: Django's ``django.request``
logger passes the request with every error it logs."""

import logging

NO_REQUEST = "-"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", NO_REQUEST)
        return True
