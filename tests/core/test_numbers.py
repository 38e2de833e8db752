from decimal import Decimal

import pytest
from django.utils import translation

from core.templatetags.numbers import qty


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("5.0000"), "5"),
        (Decimal("100.0000"), "100"),
        (Decimal("1234.5000"), "1,234.5"),
        (Decimal("0.0125"), "0.0125"),
        (Decimal("-3.2500"), "-3.25"),
        (7, "7"),
        (None, None),
        ("", ""),
        ("n/a", "n/a"),
    ],
)
def test_quantities_drop_trailing_zeros_and_group_thousands(value, shown):
    with translation.override("en"):
        assert qty(value) == shown
