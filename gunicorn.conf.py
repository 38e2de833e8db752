"""gunicorn settings, read from the environment (issue #14); the Dockerfile's CMD, the
compose web service and `make stack` all start ``gunicorn -c gunicorn.conf.py``.

WEB_CONCURRENCY   worker processes; default 2 x cores + 1, at most WEB_CONCURRENCY_MAX (8)
GUNICORN_THREADS  threads per worker (default 1: sync workers)
GUNICORN_TIMEOUT  seconds a request may take before its worker is restarted (default 60;
                  large exports run as Celery jobs, not in a request)
GUNICORN_BIND     address (default 0.0.0.0:8000)
"""

import multiprocessing
import os


def default_workers(cores: int, cap: int) -> int:
    return max(1, min(2 * cores + 1, cap))


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(
    os.environ.get("WEB_CONCURRENCY")
    or default_workers(multiprocessing.cpu_count(), int(os.environ.get("WEB_CONCURRENCY_MAX", "8")))
)
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# A worker restarts after this many requests (jittered), so a slow leak never grows unbounded.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
# Behind the TLS proxy: trust its X-Forwarded-* headers (the proxy is the only client).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")

# Logs to stdout/stderr for the container runtime: the access log one JSON object a line,
# with the request id the app sends back (X-Request-Id), like the app's own log lines.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = (
    '{"logger": "gunicorn.access", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", '
    '"query": "%(q)s", "status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, '
    '"user_agent": "%(a)s", "request_id": "%({x-request-id}o)s"}'
)


def post_worker_init(worker):
    """Once the worker has loaded Django, move everything alive (modules, settings, URL
    resolvers, templates) out of the garbage collector's sight: a full collection then
    walks a request's own objects only, not the whole framework (issue #17 measured GC as
    the inbox's p95 tail)."""
    import gc

    gc.freeze()
