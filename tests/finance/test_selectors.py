"""The month-end figures come from ``finance.selectors`` once (issue #13): the list page and
the API show the same amounts per kind, the month filter and the command share the one
month parser, and the tables add up to the lines."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.urls import reverse
from django.utils import translation

from finance.month_end import month_end_compute
from finance.selectors import (
    month_end_by_kind,
    month_end_list,
    month_end_responsible,
    month_end_tables,
)
from returns.models import RequestKind
from tests.finance.test_month_end import month  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(month):  # noqa: F811 - the imported fixture
    older = month_end_compute(month=date(2026, 1, 1))  # an empty month, listed after
    return month_end_compute(month=month), older


def test_the_list_has_each_kinds_amount_newest_month_first(computed):
    month_end, older = computed
    listed = list(month_end_list())
    assert [m.pk for m in listed] == [month_end.pk, older.pk]
    assert (listed[0].return_amount, listed[0].replenish_amount) == (
        Decimal("231.25"),
        Decimal("790.00"),
    )
    assert (listed[1].return_amount, listed[1].replenish_amount) == (0, 0)


def test_the_page_and_the_api_show_the_same_amounts(computed, api, client, admin):
    month_end, _older = computed
    client.force_login(admin)
    page = client.get(reverse("finance:month_end"))
    shown = {m.pk: (m.return_amount, m.replenish_amount) for m in page.context["month_ends"]}
    results = api.get("/api/v1/month-ends/").json()["results"]
    answered = {
        row["id"]: (Decimal(row["return_amount"]), Decimal(row["replenish_amount"]))
        for row in results
    }
    assert answered == shown
    assert answered[month_end.pk] == (Decimal("231.25"), Decimal("790.00"))


def test_tables_add_up_to_the_lines(computed):
    month_end, _older = computed
    expected = month_end.lines.filter(kind=RequestKind.REPLENISH).aggregate(
        qty=Sum("quantity"), amount=Sum("amount")
    )
    for _title, _header, table in month_end_tables(month_end):
        assert table["total"]["replenish_qty"] == expected["qty"]
        assert table["total"]["replenish_amount"] == expected["amount"]
    by_reason = month_end_by_kind(month_end, "reason_code")
    assert {row["key"] for row in by_reason["rows"]} == {
        "LEFTOVER",
        "OPERATOR_SCRAP",
        "MATERIAL_DEFECT",
    }
    responsible = month_end_responsible(month_end)
    assert (
        sum(row["amount"] for row in responsible)
        == month_end.documents.aggregate(total=Sum("amount"))["total"]
    )


def test_the_api_filters_by_month_and_refuses_a_bad_one_with_400(computed, api):
    month_end, _older = computed
    found = api.get("/api/v1/month-ends/", {"month": f"{month_end.month:%Y-%m}"}).json()
    assert [row["id"] for row in found["results"]] == [month_end.pk]
    bad = api.get("/api/v1/month-ends/", {"month": "2026-13"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400
    assert bad.json()["month"] == ["Give the month as YYYY-MM."]
    chinese = api.get("/api/v1/month-ends/", {"month": "2026-13"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.json()["month"] == ["请按 YYYY-MM 格式填写月份。"]


def test_the_command_refuses_a_bad_month_with_the_same_message(db):
    with translation.override("en"), pytest.raises(CommandError, match=r"--month: Give the mon"):
        call_command("month_end", "--month", "2026-13")
    with translation.override("en"), pytest.raises(CommandError, match="up to the current one"):
        call_command("month_end", "--month", "9999-12")


def test_a_month_that_is_no_month_is_not_found(client, admin):
    client.force_login(admin)
    assert client.get("/finance/month-end/2026-13/").status_code == 404
