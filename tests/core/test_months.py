"""One month parser (issue #13): every page, API parameter, command and task reads "YYYY-MM"
through ``core.months.month_parse`` and answers bad input with the same message."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from core.months import MonthField, month_parse


@pytest.mark.parametrize(
    ("text", "month"), [("2026-10", date(2026, 10, 1)), (" 2026-01 ", date(2026, 1, 1))]
)
def test_a_month_is_its_first_day(text, month):
    assert month_parse(text) == month


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026/10", "Oct 2026", "", "2026-10-01", None]
)
def test_bad_months_get_one_message_in_both_languages(text):
    with pytest.raises(ValidationError) as raised:
        month_parse(text)
    assert raised.value.code == "bad_month"
    with translation.override("en"):
        assert raised.value.messages == ["Give the month as YYYY-MM."]
    with translation.override("zh-hans"):
        assert raised.value.messages == ["请按 YYYY-MM 格式填写月份。"]


def test_up_to_now_refuses_the_future_and_the_last_century():
    this_month = timezone.localdate().replace(day=1)
    assert month_parse(f"{this_month:%Y-%m}", up_to_now=True) == this_month
    for text in ("1999-12", "9999-12"):
        with pytest.raises(ValidationError) as raised:
            month_parse(text, up_to_now=True)
        assert raised.value.code == "month_range"
        with translation.override("en"):
            assert raised.value.messages == ["Give a month from 2000-01 up to the current one."]


def test_the_form_field_parses_and_leaves_empty_alone():
    assert MonthField().clean("2026-10") == date(2026, 10, 1)
    assert MonthField(required=False).clean("") is None
    with pytest.raises(ValidationError, match="YYYY-MM"):
        MonthField().clean("2026-1x")
