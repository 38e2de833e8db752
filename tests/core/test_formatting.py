"""core.formatting (issue #16, item 3): ratios as percentages, quantities with their unit and
at most 4 fraction digits, money grouped in both languages, codes as their translated label,
times with minutes; the template filters give the same text."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from core.formatting import label, moment, money, percent, quantity
from returns.models import RequestKind

LANGUAGES = ["en", "zh-hans"]


@pytest.fixture(params=LANGUAGES)
def language(request):
    with translation.override(request.param):
        yield request.param


@pytest.mark.parametrize(
    ("ratio", "shown"),
    [
        (Decimal("0.07142857142857142857142857143"), "7.14 %"),
        (Decimal("12.8"), "1,280 %"),
        (Decimal("0.125"), "12.5 %"),
        (Decimal("0.1"), "10 %"),
        (Decimal("0.01"), "1 %"),
        (Decimal("-0.5"), "-50 %"),
        (0, "0 %"),
        (None, None),
    ],
)
def test_ratios_are_percentages_with_sensible_precision(language, ratio, shown):
    assert percent(ratio) == shown


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (Decimal("5.0000"), "PCS", "5 PCS"),
        (Decimal("1234.5000"), "M", "1,234.5 M"),
        (Decimal("0.0125"), "KG", "0.0125 KG"),
        (Decimal("2.123456789"), "M", "2.1235 M"),
        (Decimal("-3.2500"), "", "-3.25"),
        (Decimal("1000000"), "", "1,000,000"),
        ("n/a", "M", "n/a"),
    ],
)
def test_quantities_carry_their_unit_and_at_most_four_fraction_digits(language, value, unit, shown):
    assert quantity(value, unit) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("29355"), "29,355.00"),
        (Decimal("358.005"), "358.01"),
        (Decimal("-1234567.8"), "-1,234,567.80"),
        (None, None),
    ],
)
def test_money_is_grouped_in_both_languages(language, value, shown):
    assert money(value) == shown


def test_codes_show_their_translated_label():
    with translation.override("en"):
        assert label(RequestKind.choices, "replenish") == "replenishment"
    with translation.override("zh-hans"):
        shown = label(RequestKind.choices, "replenish")
    assert shown not in ("replenish", "replenishment") and shown.strip()
    assert label(RequestKind.choices, "") == "—"
    assert label(RequestKind.choices, "unknown") == "unknown"


def test_times_keep_their_minutes_in_the_users_locale():
    at_two = datetime(2026, 12, 6, 6, 0, tzinfo=ZoneInfo("UTC"))  # 14:00 in Shanghai
    with translation.override("en"):
        assert moment(at_two) == "Dec. 6, 2026 14:00"
        assert moment(date(2026, 12, 6)) == "Dec. 6, 2026"
    with translation.override("zh-hans"):
        assert moment(at_two) == "2026年12月6日 14:00"
    assert moment(None) == "—"


def test_template_filters_are_the_same_functions(language):
    template = Template(
        "{% load formatting %}{{ r|percent }}|{{ q|quantity:'M' }}|{{ a|money }}|"
        "{{ k|label:kinds }}"
    )
    shown = template.render(
        Context(
            {
                "r": Decimal("12.8"),
                "q": Decimal("1234.50"),
                "a": Decimal("29355"),
                "k": "return",
                "kinds": RequestKind.choices,
            }
        )
    )
    assert shown == f"1,280 %|1,234.5 M|29,355.00|{label(RequestKind.choices, 'return')}"
