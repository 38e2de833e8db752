from decimal import Decimal

import pytest

from materials.models import LocationKind
from returns.models import Verdict
from tests.builders import (
    batch_material,
    days_from_today,
    location,
    receive,
    released_work_order,
    with_roles,
)
from tests.factories import UserFactory, WorkshopFactory
from tests.returns.builders import line, posted_return, tier_holder
from workorders.services.issuing import IssueLine, work_order_issue


@pytest.fixture
def workshop(db):
    return WorkshopFactory(code="WS1")


@pytest.fixture
def shelf(db):
    return location("A")


@pytest.fixture
def supplier_area(db):
    return location("SR", kind=LocationKind.SUPPLIER_RETURN)


@pytest.fixture
def scrap_area(db):
    return location("SC", kind=LocationKind.SCRAP)


@pytest.fixture
def clerk(db):
    return UserFactory(username="clerk")


@pytest.fixture
def supervisor(workshop):
    return tier_holder("supervisor", workshop)


@pytest.fixture
def qc(db):
    return with_roles(UserFactory(username="qc1"), "qc")


@pytest.fixture
def finance(db):
    return with_roles(UserFactory(username="finance1"), "finance")


@pytest.fixture
def user(user):
    """keeper1 (tests/conftest.py) in the keeper role: receives, posts and issues."""
    return with_roles(user, "keeper")


@pytest.fixture
def tube(user, shelf):
    """Aluminium tube, batch-tracked: 500 of lot T1 on shelf A."""
    material = batch_material(code="TUBE")
    receive(material, shelf, 500, user, batch_no="T1", expiry_date=days_from_today(200))
    return material


@pytest.fixture
def lot(tube):
    return tube.lots.get(batch_no="T1")


@pytest.fixture
def work_order(user, tube, lot, shelf, workshop):
    """100 chairs × 2 tubes (5 % loss); 100 tubes of T1 issued from shelf A."""
    work_order = released_work_order(
        user, components=[(tube, "2", "5")], planned_qty=100, workshop=workshop
    )
    work_order_issue(
        work_order=work_order, actor=user, lines=[IssueLine(tube, Decimal(100), shelf, lot=lot)]
    )
    work_order.refresh_from_db()
    return work_order


@pytest.fixture
def scrap_return(user, clerk, qc, tube, lot, scrap_area, work_order):
    """2 tubes scrapped by the operator (process defect), posted to scrap."""
    return posted_return(
        work_order,
        [line(tube, 2, lot=lot)],
        applicant=clerk,
        qc=qc,
        keeper=user,
        verdict=Verdict.PROCESS_DEFECT,
        defect_rate=Decimal(1),
        code="PROCESS_DEFECT",
    )


@pytest.fixture
def defect_return(user, clerk, qc, tube, lot, supplier_area, work_order):
    """5 tubes returned as a supplier defect and posted to the supplier-return area."""
    return posted_return(
        work_order,
        [line(tube, 5, lot=lot)],
        applicant=clerk,
        qc=qc,
        keeper=user,
        verdict=Verdict.SUPPLIER_DEFECT,
        code="SUPPLIER_DEFECT",
    )
