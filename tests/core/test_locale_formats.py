"""Issue #16: English times keep their minutes on the hour; Chinese amounts are grouped."""

from datetime import datetime
from decimal import Decimal

from django.template import Context, Template
from django.utils import formats, translation


def test_english_times_show_minutes_on_the_hour():
    two_pm = datetime(2026, 12, 6, 14, 0)
    with translation.override("en"):
        assert formats.date_format(two_pm, "DATETIME_FORMAT") == "Dec. 6, 2026, 14:00"
        assert formats.date_format(two_pm, "SHORT_DATETIME_FORMAT") == "12/06/2026 14:00"


def test_chinese_amounts_keep_the_thousands_separator():
    amount = Decimal("29355")
    with translation.override("zh-hans"):
        assert formats.number_format(amount, 2, force_grouping=True) == "29,355.00"
        shown = Template('{{ amount|floatformat:"2g" }}').render(Context({"amount": amount}))
        assert shown == "29,355.00"
        assert "14:00" in formats.date_format(datetime(2026, 12, 6, 14, 0), "DATETIME_FORMAT")
