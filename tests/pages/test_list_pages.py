"""Lists for every role (issue #15, item 4): search by number, the API's filters, scope,
real pagination, query counts flat in page size, dashboard tiles linking to filtered lists."""

from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from inventory.models import LedgerEntry, MovementType
from returns.models import (
    ReasonCode,
    ReplenishLine,
    ReplenishRequest,
    ReplenishState,
    ReturnRequest,
    ReturnState,
    ShortageSlip,
    ShortageState,
)
from tests.builders import location, released_work_order
from tests.factories import MaterialFactory, UserFactory, WorkshopFactory
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant(admin):
    """Two workshops, a work order in each, a material and a shelf."""
    tube = MaterialFactory(code="TUBE")
    ws1, ws2 = WorkshopFactory(code="WS1"), WorkshopFactory(code="WS2")
    wo1 = released_work_order(admin, components=[(tube, 1, 0)], number="WO-1", workshop=ws1)
    wo2 = released_work_order(admin, components=[(tube, 1, 0)], number="WO-2", workshop=ws2)
    return {"tube": tube, "ws1": ws1, "ws2": ws2, "wo1": wo1, "wo2": wo2, "shelf": location("A")}


def requests_of(model, work_order, count, *, state, applicant=None):
    """``count`` requests of ``model`` numbered on from the ones there are."""
    prefix, kind = ("RT", "return") if model is ReturnRequest else ("RP", "replenish")
    start = model.objects.count() + 1
    reason = ReasonCode.objects.filter(kind=kind).first()
    return model.objects.bulk_create(
        model(
            number=f"{prefix}-{work_order.number}-{n:04d}",
            work_order=work_order,
            reason=reason,
            applicant=applicant or UserFactory(),
            state=state,
        )
        for n in range(start, start + count)
    )


def returns_of(work_order, count, *, state=ReturnState.SUBMITTED, applicant=None):
    return requests_of(ReturnRequest, work_order, count, state=state, applicant=applicant)


def replenishments_of(work_order, count, *, state=ReplenishState.SUBMITTED):
    return requests_of(ReplenishRequest, work_order, count, state=state)


def shortages_of(work_order, material, count, *, state=ShortageState.OPEN):
    [replenishment] = replenishments_of(work_order, 1, state=ReplenishState.ISSUED)
    line = ReplenishLine.objects.create(
        request=replenishment,
        material=material,
        quantity=Decimal(5),
        issued_qty=Decimal(0),
        short_qty=Decimal(5),
    )
    start = ShortageSlip.objects.count() + 1
    return ShortageSlip.objects.bulk_create(
        ShortageSlip(
            number=f"SS-{work_order.number}-{n:04d}",
            replenish_line=line,
            material=material,
            quantity=Decimal(5),
            state=state,
        )
        for n in range(start, start + count)
    )


def numbers(response):
    return [row.number for row in response.context["page"]]


# ---------------------------------------------------------------------------- returns


def test_the_return_list_searches_by_number_and_filters(role_client, plant):
    returns_of(plant["wo1"], 3)
    returns_of(plant["wo1"], 1, state=ReturnState.REVIEWED)
    client = role_client("finance")
    url = reverse("returns:return_list")
    assert len(numbers(client.get(url))) == 4
    assert numbers(client.get(url, {"q": "0002"})) == ["RT-WO-1-0002"]
    assert numbers(client.get(url, {"state": "reviewed"})) == ["RT-WO-1-0004"]
    assert numbers(client.get(url, {"work_order": "WO-2"})) == []
    assert len(numbers(client.get(url, {"workshop": "WS1"}))) == 4


def test_a_user_of_another_workshop_sees_none_of_the_returns(role_client, plant):
    returns_of(plant["wo1"], 3)
    returns_of(plant["wo2"], 2)
    client = role_client("team_leader", workshops=[plant["ws2"]])
    shown = numbers(client.get(reverse("returns:return_list")))
    assert shown == ["RT-WO-2-0005", "RT-WO-2-0004"]
    assert numbers(client.get(reverse("returns:return_list"), {"workshop": "WS1"})) == []


def test_the_return_list_filters_by_applicant_and_date(role_client, plant):
    clerk = UserFactory(username="clerk-a")
    returns_of(plant["wo1"], 2, applicant=clerk)
    returns_of(plant["wo1"], 1)
    client = role_client("finance")
    url = reverse("returns:return_list")
    assert len(numbers(client.get(url, {"applicant": "clerk-a"}))) == 2
    assert numbers(client.get(url, {"created_after": "2999-01-01"})) == []
    assert len(numbers(client.get(url, {"created_before": "2999-01-01"}))) == 3


def test_the_return_list_has_a_second_page(role_client, plant):
    returns_of(plant["wo1"], 60)
    client = role_client("finance")
    first = client.get(reverse("returns:return_list"))
    assert len(first.context["page"]) == 50 and first.context["page"].paginator.count == 60
    assert 'href="?page=2"' in first.content.decode()
    second = client.get(reverse("returns:return_list"), {"page": 2})
    assert numbers(second)[-1] == "RT-WO-1-0001" and len(second.context["page"]) == 10


# ------------------------------------------------------------ replenishments, shortages


def test_the_replenishment_list_filters_and_is_scoped(role_client, plant):
    replenishments_of(plant["wo1"], 2)
    replenishments_of(plant["wo2"], 1, state=ReplenishState.APPROVED)
    url = reverse("returns:replenish_list")
    client = role_client("finance")
    assert numbers(client.get(url, {"state": "approved"})) == ["RP-WO-2-0003"]
    assert numbers(client.get(url, {"q": "WO-1-0002"})) == ["RP-WO-1-0002"]
    leader = role_client("team_leader", username="leader-ws2", workshops=[plant["ws2"]])
    assert numbers(leader.get(url)) == ["RP-WO-2-0003"]


def test_the_shortage_list_filters_and_is_scoped(role_client, plant):
    shortages_of(plant["wo1"], plant["tube"], 2)
    shortages_of(plant["wo2"], plant["tube"], 1, state=ShortageState.CLOSED)
    url = reverse("returns:shortage_list")
    client = role_client("material_control")
    assert numbers(client.get(url, {"state": "open"})) == ["SS-WO-1-0002", "SS-WO-1-0001"]
    assert numbers(client.get(url, {"q": "0003", "workshop": "WS2"})) == ["SS-WO-2-0003"]
    assert numbers(client.get(url, {"material": "NOPE"})) == []
    leader = role_client("team_leader", username="leader-ws2", workshops=[plant["ws2"]])
    assert numbers(leader.get(url)) == ["SS-WO-2-0003"]


# ---------------------------------------------------------------------------- work orders, ledger


def test_the_work_order_list_uses_the_api_filters(role_client, plant):
    client = role_client("production_manager")
    url = reverse("workorders:list")
    assert numbers(client.get(url, {"workshop": "WS2"})) == ["WO-2"]
    assert numbers(client.get(url, {"q": "wo-1"})) == ["WO-1"]
    assert numbers(client.get(url, {"status": "closed"})) == []
    leader = role_client("team_leader", username="leader-ws1", workshops=[plant["ws1"]])
    assert numbers(leader.get(url)) == ["WO-1"]


def ledger_rows_of(plant, admin, count):
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            material=plant["tube"],
            location=plant["shelf"],
            quantity=Decimal(n),
            movement_type=MovementType.RECEIPT if n % 2 else MovementType.ADJUSTMENT,
            doc_type="receipt",
            doc_id=f"GR-{n:04d}",
            actor=admin,
        )
        for n in range(1, count + 1)
    )


def test_the_ledger_filters_by_movement_material_and_document(role_client, plant, admin):
    ledger_rows_of(plant, admin, 4)
    client = role_client("keeper")
    url = reverse("ledger:list")
    docs = lambda response: [e["doc_id"] for e in response.context["page"]]  # noqa: E731
    assert docs(client.get(url, {"movement_type": "adjustment"})) == ["GR-0004", "GR-0002"]
    assert docs(client.get(url, {"q": "GR-0003"})) == ["GR-0003"]
    assert docs(client.get(url, {"material": "OTHER"})) == []
    assert docs(client.get(url, {"location": "A", "until": "2000-01-01"})) == []
    assert len(docs(client.get(url, {"since": "2000-01-01"}))) == 4


def test_the_ledger_pages_by_id_through_every_row(role_client, plant, admin):
    """Issue #17: the ledger is paged by id (no COUNT over a million rows); the Older links
    reach every row once, the Newer links come back."""
    ledger_rows_of(plant, admin, 105)
    client = role_client("keeper")
    url = reverse("ledger:list")
    receipts = client.get(url, {"movement_type": "receipt"}).context["page"]
    assert len(receipts) == 50 and receipts.older is not None
    every = list(LedgerEntry.objects.order_by("-id").values_list("id", flat=True))
    seen, params, pages = [], {}, []
    while True:
        page = client.get(url, params).context["page"]
        pages.append(page)
        seen += [entry["id"] for entry in page]
        if page.older is None:
            break
        params = {"before": page.older}
    assert seen == every and [len(p) for p in pages] == [50, 50, len(every) - 100]
    assert pages[0].newer is None and pages[1].newer == every[50]
    back = client.get(url, {"after": pages[2].newer}).context["page"]
    assert [entry["id"] for entry in back] == every[50:100] and back.newer == every[50]
    html = client.get(url, {"before": pages[1].older}).content.decode()
    assert f"after={every[100]}" in html and "Older" not in html


def test_ledger_filters_resolve_codes_to_ids_before_reading_the_ledger(role_client, plant, admin):
    """Issue #17: a code is looked up first; the ledger is read on its own (key, id) index
    with no join, and a code naming nothing never reads the ledger."""
    ledger_rows_of(plant, admin, 3)
    client = role_client("keeper")
    with CaptureQueriesContext(connection) as unknown:
        assert client.get(reverse("ledger:list"), {"material": "NO-SUCH"}).status_code == 200
    assert not [q for q in unknown if "inventory_ledgerentry" in q["sql"]]
    with CaptureQueriesContext(connection) as known:
        page = client.get(reverse("ledger:list"), {"material": plant["tube"].code}).context["page"]
    [ledger_query] = [q["sql"] for q in known if 'FROM "inventory_ledgerentry"' in q["sql"]]
    assert "JOIN" not in ledger_query and '"material_id" IN' in ledger_query
    assert {entry["material"]["code"] for entry in page} == {plant["tube"].code}


# ---------------------------------------------------------------------------- query counts


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def work_orders_of(plant, admin, count):
    for _n in range(count):
        number = f"WO-{WorkOrder.objects.count() + 1:04d}"
        released_work_order(
            admin, components=[(plant["tube"], 1, 0)], number=number, workshop=plant["ws1"]
        )


MAKERS = {
    "returns:return_list": lambda plant, admin, n: returns_of(plant["wo1"], n),
    "returns:replenish_list": lambda plant, admin, n: replenishments_of(plant["wo1"], n),
    "returns:shortage_list": lambda plant, admin, n: shortages_of(plant["wo1"], plant["tube"], n),
    "ledger:list": ledger_rows_of,
    "workorders:list": work_orders_of,
}


@pytest.mark.parametrize("url_name", list(MAKERS))
def test_query_counts_stay_flat_in_page_size(role_client, plant, admin, url_name):
    """5 rows on the page, then a full page of 50 (60 rows): the same number of queries."""
    client = role_client("finance")
    url = reverse(url_name)
    MAKERS[url_name](plant, admin, 5)
    few = queries_for(client, url)
    MAKERS[url_name](plant, admin, 55)
    many = queries_for(client, url)
    assert len(client.get(url).context["page"]) == 50
    assert many == few


def test_my_requests_and_receiving_are_paginated_not_cut_off(role_client, plant):
    clerk = role_client("clerk", username="clerk-x", workshops=[plant["ws1"]])
    returns_of(plant["wo1"], 120, applicant=clerk.user)
    mine = clerk.get(reverse("returns:my_requests"), {"returns_page": 3})
    assert len(mine.context["returns"]) == 20 and mine.context["returns"].number == 3
    ReturnRequest.objects.update(state=ReturnState.INSPECTED)
    keeper = role_client("keeper", username="keeper-x")
    waiting = keeper.get(reverse("returns:receiving"), {"waiting_page": 3}).context["waiting"]
    assert len(waiting) == 20 and waiting.paginator.count == 120


# ---------------------------------------------------------------------------- dashboard tiles


def test_dashboard_tiles_link_to_the_filtered_lists(role_client, plant):
    returns_of(plant["wo1"], 2, state=ReturnState.REVIEWED)
    shortages_of(plant["wo1"], plant["tube"], 3)
    client = role_client("finance")
    tiles = client.get(reverse("portal:home")).context["request_tiles"]
    tile = next(t for t in tiles if t["url"].endswith("state=reviewed"))
    assert tile["count"] == 2
    path, query = urlsplit(tile["url"]).path, urlsplit(tile["url"]).query
    assert resolve(path).view_name == "returns:return_list"
    listed = client.get(path + "?" + query)
    assert len(listed.context["page"]) == 2
    shortages = client.get(reverse("portal:home")).context["shortages"]
    assert shortages["count"] == 3
    assert len(client.get(shortages["url"]).context["page"]) == 3
