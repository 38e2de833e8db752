"""The suspect verdict on the QC page, the nonconforming pages (list, detail, disposition
with confirmation) and ``/api/v1/nonconforming/`` (R-R9)."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from inventory.models import LedgerEntry, StockBalance
from materials.models import LocationKind
from org.services import role_groups_sync
from returns.models import Disposition, NonconformingState, Verdict
from tests.builders import location
from tests.returns.builders import tier_holder as tier_holder_of
from tests.returns.nonconforming_builders import (
    QTY,
    quarantined,
    record_of,
    reviewed_return,
    sign,
)

pytestmark = pytest.mark.django_db


def logged_in(user, role):
    role_groups_sync()
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


def api_for(user, role):
    role_groups_sync()
    user.groups.add(Group.objects.get(name=role))
    client = APIClient(HTTP_X_DEVICE_ID="HH-11")
    client.force_authenticate(user)
    return client


def stock_state():
    return LedgerEntry.objects.count(), sorted(StockBalance.objects.values_list("id", "quantity"))


@pytest.fixture
def quarantine(db):
    return location("QA", kind=LocationKind.QUARANTINE)


@pytest.fixture
def suspect(work_order, tube, lot, clerk, qc, user, quarantine):
    return quarantined(work_order, tube, QTY, lot=lot, applicant=clerk, qc=qc, keeper=user)


def test_qc_page_offers_suspect_and_opens_the_record(work_order, tube, lot, clerk, qc):
    slip = reviewed_return(work_order, tube, QTY, lot=lot, applicant=clerk)
    client = logged_in(qc, "qc")
    url = reverse("returns:qc_verdict", args=[slip.pk])
    page = client.get(url).content.decode()
    assert 'value="suspect"' in page
    form = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-line": slip.lines.get().pk,
        "form-0-verdict": "suspect",
        "form-0-qc_note": "",
    }
    refused = client.post(url, form)
    assert "Describe the problem" in refused.content.decode()
    assert not slip.nonconforming_records.exists()
    form["form-0-qc_note"] = "Bent ends?"
    assert client.post(url, form).status_code == 302
    record = record_of(slip)
    assert (record.problem, record.state) == ("Bent ends?", NonconformingState.SIGNING)
    assert slip.lines.get().verdict == Verdict.SUSPECT
    nav = client.get(reverse("returns:nonconforming_list")).content.decode()
    assert reverse("returns:nonconforming_list") in nav and record.number in nav
    detail = client.get(reverse("returns:request_detail", args=["return", slip.pk]))
    assert record.number in detail.content.decode()


def test_list_filters_and_search(suspect, user):
    client = logged_in(user, "keeper")
    url = reverse("returns:nonconforming_list")
    number = record_of(suspect).number
    assert number in client.get(url, {"state": "signing"}).content.decode()
    assert number not in client.get(url, {"state": "closed"}).content.decode()
    assert number not in client.get(url, {"disposition": "scrap"}).content.decode()
    assert number in client.get(url, {"q": "TUBE"}).content.decode()
    assert number not in client.get(url, {"q": "NOPE"}).content.decode()


def test_disposition_page_asks_first_then_moves(suspect, user, workshop, tube, lot):
    scrap = location("SC1", kind=LocationKind.SCRAP)
    record = record_of(suspect)
    client = logged_in(user, "keeper")
    url = reverse("returns:nonconforming_detail", args=[record.pk])
    page = client.get(url).content.decode()
    assert "dispose-form" not in page  # not signed yet
    before = stock_state()
    assert client.post(url, {"disposition": "scrap", "quantity": "5"}).status_code == 409
    sign(record, workshop)
    page = client.get(url).content.decode()
    assert "dispose-form" in page and "QC" in page
    unconfirmed = client.post(url, {"disposition": "scrap", "quantity": "5"})
    assert unconfirmed.status_code == 400 and stock_state() == before
    wrong_qty = client.post(url, {"disposition": "scrap", "quantity": "4", "confirmed": "1"})
    assert wrong_qty.status_code == 400 and "not 4" in wrong_qty.content.decode()
    assert stock_state() == before
    done = client.post(url, {"disposition": "scrap", "quantity": "5", "confirmed": "1"})
    assert done.status_code == 302
    record.refresh_from_db()
    assert (record.state, record.destination) == (NonconformingState.CLOSED, scrap)
    assert StockBalance.objects.get(material=tube, lot=lot, location=scrap).quantity == QTY


def test_api_lists_and_disposes(suspect, user, workshop, quarantine):
    location("SR1", kind=LocationKind.SUPPLIER_RETURN)
    record = record_of(suspect)
    api = api_for(user, "keeper")
    listed = api.get("/api/v1/nonconforming/", {"state": "signing"}).json()
    assert [r["number"] for r in listed["results"]] == [record.number]
    detail = api.get(f"/api/v1/nonconforming/{record.pk}/").json()
    assert (detail["location"], detail["quantity"], detail["material"]) == ("QA", "5.0000", "TUBE")
    url = f"/api/v1/nonconforming/{record.pk}/dispose/"
    early = api.post(url, {"disposition": "rework", "quantity": "5"}, format="json")
    assert early.status_code == 409 and "not signed off" in early.json()["detail"]
    sign(record, workshop)
    no_supplier = api.post(url, {"disposition": "return_to_supplier", "quantity": "5"})
    assert no_supplier.status_code == 400 and "no supplier" in str(no_supplier.json())
    done = api.post(url, {"disposition": "use_as_is", "quantity": "5", "note": "ok"})
    assert done.status_code == 200, done.json()
    assert (done.json()["state"], done.json()["destination"]) == ("closed", "A")
    again = api.post(url, {"disposition": "use_as_is", "quantity": "5"})
    assert again.status_code == 409


def test_api_dispose_needs_the_keeper(suspect, qc):
    record = record_of(suspect)
    api = api_for(qc, "qc")
    response = api.post(f"/api/v1/nonconforming/{record.pk}/dispose/", {"quantity": "5"})
    assert response.status_code == 403
    assert api.get("/api/v1/nonconforming/").status_code == 200


def test_chinese_messages(suspect, user):
    record = record_of(suspect)
    api = api_for(user, "keeper")
    response = api.post(
        f"/api/v1/nonconforming/{record.pk}/dispose/",
        {"disposition": Disposition.REWORK, "quantity": "5"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 409
    assert "会签" in response.json()["detail"]


def test_signers_see_the_record_in_their_inbox(suspect, workshop):
    qc_signer = tier_holder_of("qc", workshop)
    client = Client()
    client.force_login(qc_signer)
    page = client.get(reverse("approvals:inbox")).content.decode()
    record = record_of(suspect)
    assert record.number in page and "Surface spots, maybe corrosion" in page
    assert suspect.number in page  # the return it comes from


def test_signers_see_the_record_in_their_api_inbox(suspect, workshop):
    """The API lists the record as the page does (it answered 500 before the record's rows
    carried a state)."""
    client = APIClient()
    client.force_authenticate(tier_holder_of("qc", workshop))
    response = client.get("/api/v1/approvals/")
    assert response.status_code == 200
    [step] = response.json()["results"]
    record = record_of(suspect)
    assert step["request"]["kind"] == "nonconforming"
    assert (step["request"]["number"], step["request"]["state"]) == (record.number, record.state)
