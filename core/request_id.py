"""The id of the request being served, in one place (issue #14).

``core.api.middleware.ApiErrorMiddleware`` accepts a caller's ``X-Request-Id`` (or makes
one) and binds it here for the whole request; the log filter (``core.logging``), the audit
trail (``audit_record``) and every Celery task published meanwhile read it from here. A task
carries it in its message headers (``before_task_publish``) and binds it again in the worker
(``task_prerun``), so the task's log lines name the request that caused it.
"""

import contextvars
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from celery import signals

REQUEST_ID_HEADER = "X-Request-Id"
TASK_HEADER = "request_id"
MAX_LENGTH = 64
# What a caller may send: a uuid, a load balancer's trace id; anything else gets a new id.
ACCEPTED = re.compile(rf"[A-Za-z0-9._:@-]{{1,{MAX_LENGTH}}}")

_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_or_new(value: str | None) -> str:
    """The caller's id when it is a plain token of at most 64 characters, else a new one."""
    return value if value and ACCEPTED.fullmatch(value) else new_request_id()


def current_request_id() -> str:
    """The bound id, or "" outside a request or a task that came from one."""
    return _current.get()


@contextmanager
def bound(request_id: str) -> Iterator[str]:
    token = _current.set(request_id)
    try:
        yield request_id
    finally:
        _current.reset(token)


# Celery: the id travels as a message header; a worker binds it for the task's duration.
_task_tokens: dict[str, contextvars.Token] = {}


@signals.before_task_publish.connect(dispatch_uid="core.request_id.publish")
def _add_header(headers=None, **kwargs) -> None:
    request_id = current_request_id()
    if headers is not None and request_id and TASK_HEADER not in headers:
        headers[TASK_HEADER] = request_id


@signals.task_prerun.connect(dispatch_uid="core.request_id.prerun")
def _bind_for_task(task_id=None, task=None, **kwargs) -> None:
    if task is None or task.request.is_eager:
        return  # an eager task runs inside the request and sees its id already
    request_id = getattr(task.request, TASK_HEADER, None) or ""
    _task_tokens[task_id] = _current.set(request_id)


@signals.task_postrun.connect(dispatch_uid="core.request_id.postrun")
def _unbind_after_task(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        try:
            _current.reset(token)
        except ValueError:  # set in another context (a thread pool): just clear it
            _current.set("")
