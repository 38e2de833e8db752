"""Two checks running at once (a retried task next to the scheduled one) still open one
alert and send one set of notifications: the partial unique constraint decides, and the
loser returns the winner's alert."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from alerts.checks import alerts_check
from alerts.models import Alert, AlertKind, Notification
from tests.alerts.conftest import role_user
from tests.factories import MaterialFactory

THREADS = 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_checks_raise_one_alert():
    MaterialFactory(code="BOLT", lead_time_days=1, daily_usage=Decimal(10))
    role_user("mc-a", "material_control")
    barrier, errors = threading.Barrier(THREADS), []

    def worker():
        try:
            barrier.wait()
            alerts_check([AlertKind.BELOW_SAFETY_STOCK])
        except Exception as error:  # noqa: BLE001 - any error fails the test below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Alert.objects.filter(kind=AlertKind.BELOW_SAFETY_STOCK).count() == 1
    assert Notification.objects.count() == 1
