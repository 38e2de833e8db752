"""Supplier quality scorecard (#18 item 6, R-S1): a supplier-defect return posted for a lot
of supplier A counts for A, not for B; quantities with units, values at standard cost, and
the % of what the supplier's lots received in the month."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone

from materials.models import Location, LocationKind, Material
from reports.registry import export_params_clean
from reports.supplier_claims import claims_of, supplier_claim_rows
from reports.supplier_quality import lot_rows, material_rows, supplier_totals
from reports.supplier_quality_export import scorecard_workbook
from returns.models import Verdict
from tests.builders import batch_material, location, receive, released_work_order, with_roles
from tests.factories import SupplierFactory, UomFactory, UserFactory, WorkshopFactory
from tests.reports.conftest import body, opened
from tests.returns.builders import line, posted_return
from tests.returns.supplier_builders import posted_supplier_return, sr_line
from workorders.services.issuing import IssueLine, work_order_issue

pytestmark = pytest.mark.django_db
THIS_MONTH = timezone.localdate().replace(day=1)
URL = "/reports/suppliers/"


@pytest.fixture
def scene(user):
    """Tube lots TA (supplier A, 400 received) and TB (supplier B, 200); 100 of TA and 50 of
    TB issued; QC finds 10 of TA a supplier defect and 5 of TB a process defect."""
    keeper = with_roles(user, "keeper")
    shelf = location("A")
    location("SR", kind=LocationKind.SUPPLIER_RETURN)
    location("SC", kind=LocationKind.SCRAP)
    a = SupplierFactory(code="SUP-A", name="Alpha Tubes")
    b = SupplierFactory(code="SUP-B", name="Beta Tubes")
    tube = batch_material(code="TUBE", name="Alu tube", standard_cost=Decimal("12.5"))
    receive(tube, shelf, 400, keeper, batch_no="TA", supplier=a)
    receive(tube, shelf, 200, keeper, batch_no="TB", supplier=b)
    ta, tb = tube.lots.get(batch_no="TA"), tube.lots.get(batch_no="TB")
    workshop = WorkshopFactory(code="WS1")
    work_order = released_work_order(
        keeper, components=[(tube, "2", "5")], planned_qty=100, workshop=workshop
    )
    work_order_issue(
        work_order=work_order,
        actor=keeper,
        lines=[
            IssueLine(tube, Decimal(100), shelf, lot=ta),
            IssueLine(tube, Decimal(50), shelf, lot=tb),
        ],
    )
    clerk, qc = UserFactory(username="clerk"), with_roles(UserFactory(username="qc1"), "qc")
    people = {"applicant": clerk, "qc": qc, "keeper": keeper}
    posted_return(
        work_order,
        [line(tube, 10, lot=ta)],
        verdict=Verdict.SUPPLIER_DEFECT,
        code="SUPPLIER_DEFECT",
        **people,
    )
    posted_return(
        work_order,
        [line(tube, 5, lot=tb)],
        verdict=Verdict.PROCESS_DEFECT,
        defect_rate=Decimal(1),
        code="PROCESS_DEFECT",
        **people,
    )
    return {"a": a, "b": b, "tube": tube, "qc": qc, "keeper": keeper, "clerk": clerk}


def test_a_defect_counts_for_the_lots_supplier_only(scene):
    totals = {total.code: total for total in supplier_totals(THIS_MONTH)}

    alpha, beta = totals["SUP-A"], totals["SUP-B"]
    assert (alpha.lines, alpha.quantity, alpha.unit, alpha.value) == (
        1,
        Decimal(10),
        "PCS",
        Decimal("125.00"),
    )
    assert (alpha.received_quantity, alpha.rate) == (Decimal(400), Decimal("2.50"))
    # B's lot came back as a process defect: B delivered 200 and has no supplier defect
    assert (beta.lines, beta.quantity, beta.value, beta.received_quantity, beta.rate) == (
        0,
        Decimal(0),
        Decimal(0),
        Decimal(200),
        Decimal("0.00"),
    )
    assert [total.code for total in supplier_totals(THIS_MONTH, scene["b"])] == ["SUP-B"]


def test_breakdown_by_material_and_lot(scene):
    (material,) = material_rows(THIS_MONTH)
    assert (material["lot__supplier__code"], material["material__code"]) == ("SUP-A", "TUBE")
    assert (material["quantity"], material["value"], material["received"]) == (
        Decimal(10),
        Decimal("125.00"),
        Decimal(400),
    )
    (lot,) = lot_rows(THIS_MONTH, scene["a"])
    assert (lot["lot__batch_no"], lot["quantity"], lot["received"], lot["rate"]) == (
        "TA",
        Decimal(10),
        Decimal(400),
        Decimal("2.50"),
    )
    assert lot_rows(THIS_MONTH, scene["b"]) == []


def test_another_month_has_nothing(scene):
    assert supplier_totals(date(2001, 1, 1)) == []


def test_mixed_units_give_no_supplier_rate(scene):
    glue = batch_material(code="GLUE", uom=UomFactory(code="KG", name="kg"))
    receive(glue, location("A"), 20, scene["keeper"], batch_no="G1", supplier=scene["a"])

    alpha = next(t for t in supplier_totals(THIS_MONTH) if t.code == "SUP-A")

    assert (alpha.unit, alpha.quantity, alpha.rate) == (None, None, None)
    assert alpha.value == Decimal("125.00")
    assert alpha.mixed == "10 PCS"


def test_a_posted_supplier_return_is_an_open_claim_of_its_supplier(scene):
    """R-S2: the 10 defective tubes of lot TA go back to supplier A on a supplier return;
    its claim shows for A (not for B), open, aged from the day it was posted."""
    assert supplier_claim_rows(THIS_MONTH) == []
    tube = Material.objects.get(code="TUBE")
    area = Location.objects.get(code="SR")
    slip = posted_supplier_return(
        scene["a"], [sr_line(tube, 10, area, tube.lots.get(batch_no="TA"))], scene["keeper"]
    )

    [claim] = claims_of(THIS_MONTH, "SUP-A")
    assert claim == {
        "supplier_code": "SUP-A",
        "supplier_name": "Alpha Tubes",
        "number": slip.number,
        "state": "posted, claim open",
        "opened": timezone.localdate(),
        "closed": None,
        "age_days": 0,
    }
    assert claims_of(THIS_MONTH, "SUP-B") == []


def test_workbook_has_the_same_figures(scene):
    params = export_params_clean("supplier_quality", {"month": f"{THIS_MONTH:%Y-%m}"})
    target = BytesIO()

    scorecard_workbook({**params, "costs": True}, target)

    book = opened(target)
    assert book.sheetnames == ["Suppliers", "By material", "By lot", "Claims"]
    suppliers = body(book["Suppliers"])
    assert suppliers[0] == ("SUP-A", "Alpha Tubes", 1, 10, "PCS", 125, 400, 2.5)
    assert suppliers[1][:2] == ("SUP-B", "Beta Tubes")
    assert body(book["By lot"]) == [
        ("SUP-A", "TUBE", "Alu tube", "TA", 1, 10, "PCS", 125, 400, 2.5)
    ]
    assert body(book["Claims"]) == []
    # without cost visibility the amounts are left out
    hidden = BytesIO()
    scorecard_workbook({**params, "costs": False}, hidden)
    assert "Defect value" not in [cell.value for cell in opened(hidden)["Suppliers"][1]]


def test_bad_export_parameters_are_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        export_params_clean("supplier_quality", {"month": "2026-13", "supplier": "NOPE"})
    assert set(caught.value.message_dict) == {"month", "supplier"}


def page(user, url, **query):
    client = Client()
    client.force_login(user)
    return client.get(url, {"month": f"{THIS_MONTH:%Y-%m}", **query})


def test_qc_sees_quantities_finance_sees_values(scene):
    qc_page = page(scene["qc"], URL)
    assert qc_page.status_code == 200
    text = qc_page.content.decode()
    assert "SUP-A" in text and "Alpha Tubes" in text and "2.5 %" in text
    assert "125.00" not in text  # QC does not see costs
    finance = with_roles(UserFactory(username="fin1"), "finance")
    assert "125.00" in page(finance, URL).content.decode()


def nav_links(user):
    response = page(user, "/")
    assert response.status_code == 200
    return response.context["nav_items"]


def test_the_menu_links_the_scorecard_for_qc_material_control_and_finance(scene):
    def linked(user):
        return any(item["url"] == URL for item in nav_links(user))

    controller = with_roles(UserFactory(username="mc1"), "material_control")
    finance = with_roles(UserFactory(username="fin2"), "finance")
    assert linked(scene["qc"]) and linked(controller) and linked(finance)
    assert not linked(scene["keeper"]) and not linked(scene["clerk"])


def test_detail_page_per_supplier_and_month(scene):
    text = page(scene["qc"], f"{URL}SUP-A/").content.decode()
    assert "TA" in text and "10 PCS" in text and "400 PCS" in text
    assert "No claims recorded" in text
    other = page(scene["qc"], f"{URL}SUP-B/").content.decode()
    assert "No supplier-defect returns in this month." in other
    assert page(scene["qc"], f"{URL}NO-SUCH/").status_code == 404
    bad = page(scene["qc"], URL, month="2026-13")
    assert bad.status_code == 200 and "Give the month as YYYY-MM." in bad.content.decode()


def test_workshop_people_are_refused(scene):
    assert page(scene["clerk"], URL).status_code == 403
    assert page(scene["clerk"], f"{URL}SUP-A/").status_code == 403
