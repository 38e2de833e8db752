"""``/healthz``: is this process able to serve? (django-health-check, issue #14)

``/healthz`` checks what the web needs: the database, the cache, the Celery broker and free
disk; ``/healthz/worker`` adds a Celery ping, and the compose worker runs it in-process
(``manage.py health_check healthz-worker --no-http``). The answer is JSON, 200 when every
check passes and 503 naming the failed ones otherwise (the reasons are logged, not shown);
a check that raises or hangs counts as failed (the library catches it and bounds it by its
timeout), so the endpoint never 500s.

``HealthzMiddleware`` sits first in ``MIDDLEWARE`` and answers these paths before sessions,
authentication, the HTTPS redirect and the Host check: a probe from inside the container
(plain HTTP, Host 127.0.0.1) gets the same answer as one through the proxy, with no login
and no database session read.
"""

import asyncio
import dataclasses
import datetime
import shutil
import socket

from asgiref.sync import async_to_sync
from celery import current_app
from django.conf import settings
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

HEALTHZ_PATH = "/healthz"
WORKER_PATH = "/healthz/worker"


@dataclasses.dataclass
class CeleryBroker(HealthCheck):
    """The broker accepts a connection (no worker needed: that is the worker's own check)."""

    timeout: datetime.timedelta = dataclasses.field(
        default=datetime.timedelta(seconds=3), repr=False
    )

    def run(self):
        try:
            with current_app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=self.timeout.total_seconds())
        except Exception as error:  # kombu raises OperationalError, OSError or its own
            raise ServiceUnavailable("Celery broker unreachable") from error


@dataclasses.dataclass
class CeleryWorkerPing(HealthCheck):
    """This host's worker answers a ping through the broker (compose: one worker a container)."""

    timeout: datetime.timedelta = dataclasses.field(
        default=datetime.timedelta(seconds=3), repr=False
    )

    def run(self):
        destination = [f"celery@{socket.gethostname()}"]
        try:
            replies = current_app.control.ping(
                destination=destination, timeout=self.timeout.total_seconds()
            )
        except Exception as error:
            raise ServiceUnavailable("Celery broker unreachable") from error
        if not any(reply.get("ok") == "pong" for answer in replies for reply in answer.values()):
            raise ServiceUnavailable("Celery worker does not answer")


@dataclasses.dataclass
class DiskSpace(HealthCheck):
    """The media volume (uploads, exports) has room left."""

    max_usage_percent: float = dataclasses.field(
        default_factory=lambda: settings.HEALTH_DISK_MAX_PERCENT, repr=False
    )

    def run(self):
        path = settings.MEDIA_ROOT if settings.MEDIA_ROOT.exists() else settings.BASE_DIR
        usage = shutil.disk_usage(path)
        percent = 100 * usage.used / usage.total
        if percent >= self.max_usage_percent:
            raise ServiceUnavailable(f"{percent:.0f}% disk used")


WEB_CHECKS = (
    (Database, {"alias": "default"}),
    (Cache, {"alias": "default"}),
    CeleryBroker,
    DiskSpace,
)


class HealthView(HealthCheckView):
    checks = WEB_CHECKS

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            self.results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        # What failed is named; why (hosts, ports) goes to the log only: anyone may ask.
        failed = {repr(r.check): "unavailable" for r in self.results if r.error}
        checks = {repr(r.check): "ok" for r in self.results if not r.error} | failed
        body = {"status": "fail" if failed else "ok", "checks": checks}
        return JsonResponse(body, status=503 if failed else 200)


class WorkerHealthView(HealthView):
    checks = (*WEB_CHECKS, CeleryWorkerPing)


healthz = HealthView.as_view()
healthz_worker = WorkerHealthView.as_view()
VIEWS = {HEALTHZ_PATH: healthz, f"{HEALTHZ_PATH}/": healthz, WORKER_PATH: healthz_worker}


class HealthzMiddleware:
    """Answers ``/healthz`` before any other middleware (module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = VIEWS.get(request.path_info)
        if view is None:
            return self.get_response(request)
        return async_to_sync(view)(request)
