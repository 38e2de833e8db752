"""The factory the page tests and the browser journey share: one workshop, one work order in
production with 200 TUBE of lot B1 issued, and a user per actor of the journey."""

from dataclasses import dataclass
from decimal import Decimal

from approvals.models import MATRIX_CHAIN, Tier, TierAssignment
from materials.models import LocationKind
from org.services import role_groups_sync, user_ensure
from tests.builders import batch_material, location, receive, released_work_order
from tests.factories import WorkshopFactory
from workorders.services.issuing import IssueLine, work_order_issue

PASSWORD = "journey-pass-2026"
GTIN = "05901234123457"  # a valid GTIN-14 (check digit 7)
# username: role group
ACTORS = {
    "clerk": "clerk",
    "supervisor": "team_leader",
    "director": "workshop_director",
    "qc": "qc",
    "keeper": "keeper",
    "finance": "finance",
}
# Plant-wide tiers of the director: every step a replenishment can climb (R-A2…R-A4).
DIRECTOR_TIERS = [
    *MATRIX_CHAIN,
    Tier.MATERIAL_CONTROL,
    Tier.MC_SUPERVISOR,
    Tier.DEPUTY_GM,
    Tier.TECHNICAL,
]


@dataclass
class Scenario:
    users: dict
    workshop: object
    work_order: object
    tube: object
    lot: object
    shelf: object
    supplier_area: object


def scenario_build():
    role_groups_sync()
    workshop = WorkshopFactory(code="W1", name="Assembly")
    users = {
        name: user_ensure(username=name, role=role, password=PASSWORD)
        for name, role in ACTORS.items()
    }
    workshop.members.add(users["clerk"], users["supervisor"], users["director"])
    TierAssignment.objects.create(user=users["supervisor"], tier=Tier.SUPERVISOR, workshop=workshop)
    for tier in DIRECTOR_TIERS:
        TierAssignment.objects.create(user=users["director"], tier=tier, workshop=None)
    shelf = location("WH1-A01")
    supplier_area = location("WH1-SR", warehouse=shelf.warehouse, kind=LocationKind.SUPPLIER_RETURN)
    location("WH1-FG", warehouse=shelf.warehouse)
    tube = batch_material(code="TUBE", name="Steel tube", gtin=GTIN)
    receive(tube, shelf, 500, users["keeper"], batch_no="B1")
    lot = tube.lots.get(batch_no="B1")
    work_order = released_work_order(
        users["keeper"], components=[(tube, "2", "5")], number="WO-100", workshop=workshop
    )
    work_order_issue(
        work_order=work_order,
        actor=users["keeper"],
        lines=[IssueLine(tube, Decimal(200), shelf, lot=lot)],
    )
    work_order.refresh_from_db()
    return Scenario(users, workshop, work_order, tube, lot, shelf, supplier_area)


def gs1(quantity, batch="B1"):
    """What a keyboard-wedge scanner types for the supplier's GS1-128 carton label."""
    return f"(01){GTIN}(10){batch}(30){quantity}"
