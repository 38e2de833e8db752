"""The outermost transaction, retried when PostgreSQL sacrifices it (issue #12 deliverable 1).

The lock order (``audit.services.audit_record``) keeps our own services deadlock-free; this
is the last line of defence for the rest: a deadlock (SQLSTATE 40P01) or serialization
failure (40001) rolls the whole transaction back, so running it again is safe. Only the
outermost transaction is retried; inside a caller's ``atomic`` the error goes up to whoever
owns the transaction (the service boundary or the Idempotency-Key middleware).
"""

import functools
import logging
import random
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

from django.db import OperationalError, connection, transaction

ATTEMPTS = 3
BACKOFF_SECONDS = 0.05  # doubled per attempt, jittered so two victims do not collide again
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure

logger = logging.getLogger(__name__)
T = TypeVar("T")


def retryable(error: BaseException) -> bool:
    """Django wraps the driver's error; its SQLSTATE is on the cause."""
    return getattr(error.__cause__, "pgcode", None) in RETRYABLE_SQLSTATES


# How many services are running on this thread (or task), see ``atomic_service``.
service_depth: ContextVar[int] = ContextVar("service_depth", default=0)


def in_service(work: Callable[[], T]) -> T:
    token = service_depth.set(service_depth.get() + 1)
    try:
        return work()
    finally:
        service_depth.reset(token)


def atomic_retried(work: Callable[[], T]) -> T:
    """``work()`` in a transaction; as the outermost one, run again (up to ``ATTEMPTS``)
    after a deadlock or serialization failure, the error of the last attempt raised."""
    if connection.in_atomic_block:
        with transaction.atomic():
            return work()
    attempt = 1
    while True:
        try:
            with transaction.atomic():
                return work()
        except OperationalError as error:
            if attempt >= ATTEMPTS or not retryable(error):
                raise
            logger.warning("transaction attempt %s failed (%s), retrying", attempt, error)
            time.sleep(random.uniform(0, BACKOFF_SECONDS * 2**attempt))
            attempt += 1


def atomic_service(func: Callable[..., T]) -> Callable[..., T]:
    """``@transaction.atomic`` for services, retried by ``atomic_retried`` when outermost.

    A service called by another service joins that one's transaction without a savepoint
    of its own (issue #17 counted three pairs per booking): its error goes up through the
    calling service, and services never catch each other's refusals. The first service
    inside someone else's transaction (a view under the Idempotency-Key middleware, the
    admin, a test) keeps its savepoint, so that caller may catch a refusal and go on."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        def work():
            return in_service(lambda: func(*args, **kwargs))

        if service_depth.get() and connection.in_atomic_block:
            with transaction.atomic(savepoint=False):
                return work()
        return atomic_retried(work)

    return wrapper


class RetryableErrorSeen:
    """A ``connection.execute_wrapper`` remembering a deadlock or serialization failure
    raised by any query, even when a view turned it into a 500 response afterwards."""

    def __init__(self) -> None:
        self.error: OperationalError | None = None

    def __call__(self, execute, sql, params, many, context):
        try:
            return execute(sql, params, many, context)
        except OperationalError as error:
            if retryable(error):
                self.error = error
            raise
