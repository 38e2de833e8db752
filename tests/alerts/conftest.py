from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from config.celery import app
from tests.builders import location, receive, released_work_order
from tests.factories import MaterialFactory, UserFactory, WorkshopFactory
from workorders.services.issuing import IssueLine, work_order_issue


def role_user(username, role, email=""):
    """A user in a role group (org/roles.py), with an e-mail address when given."""
    user = UserFactory(username=username, email=email)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def keeper(db):
    return role_user("keeper-a", "keeper", email="keeper@example.com")


@pytest.fixture
def controller(db):
    return role_user("mc-a", "material_control", email="mc@example.com")


@pytest.fixture
def leader(db):
    return role_user("leader-a", "team_leader")


@pytest.fixture
def qc_user(db):
    return role_user("qc-a", "qc")


@pytest.fixture
def clerk(db):
    return role_user("clerk-a", "clerk", email="clerk@example.com")


@pytest.fixture
def workshop(db):
    return WorkshopFactory(code="WS1")


@pytest.fixture
def shelf(db):
    return location("A")


@pytest.fixture
def tube(user, shelf):
    material = MaterialFactory(code="TUBE")
    receive(material, shelf, 500, user)
    return material


@pytest.fixture
def work_order(user, tube, shelf, workshop):
    """100 units × 2 TUBE (5 % loss); 200 TUBE issued."""
    work_order = released_work_order(
        user, components=[(tube, "2", "5")], planned_qty=100, workshop=workshop
    )
    work_order_issue(
        work_order=work_order, actor=user, lines=[IssueLine(tube, Decimal(200), shelf)]
    )
    work_order.refresh_from_db()
    return work_order


@pytest.fixture(autouse=True)
def celery_in_process():
    """E-mails leave from a Celery task: here it runs in-process after the commit, as with
    the zero-setup default (no REDIS_URL), so ``mailoutbox`` sees what a worker would send."""
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved
