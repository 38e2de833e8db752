"""``manage.py explain_approval`` prints what the preview endpoint returns (R-A2…R-A4)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

SMALL_A = ["--class", "A", "--order-qty", "1000", "--required-qty", "1000"]


def explain(*args):
    out = StringIO()
    call_command("explain_approval", *args, stdout=out)
    return out.getvalue()


def test_explains_ratio_band_tier_chain_and_version():
    assert explain(*SMALL_A, "--replenish-qty", "10").splitlines() == [
        "Policy version: v1",
        "Ratio: this request 1 %, order total 1 % (exact 0.01)",
        "Order total: 10 of 1000 required (0 already replenished or pending + 10 this request)",
        "Order band: le1000 (class A)",
        "Needed tier: workshop director (limit 1 %)",
        "Chain: workshop director",
    ]


def test_explains_gm_and_the_extra_steps():
    out = explain(
        *SMALL_A, "--replenish-qty", "101", "--reason", "MATERIAL_DEFECT", "--amount", "5000"
    )
    assert "Ratio: this request 10.1 %, order total 10.1 % (exact 0.101)" in out
    assert "Needed tier: GM (above every limit)" in out
    assert "Chain: workshop director → production manager → production director → " in out
    assert out.rstrip().endswith("GM → material control → material-control supervisor")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--replenish-qty", "1", "--reason", "NOPE"], "Unknown replenish reason: NOPE"),
        (["--replenish-qty", "x"], "--replenish-qty: not a number: x"),
    ],
)
def test_bad_input_is_a_command_error(args, message):
    with pytest.raises(CommandError, match=message):
        explain(*SMALL_A, *args)


def test_zero_required_quantity_is_a_command_error():
    with pytest.raises(CommandError, match="greater than zero"):
        explain("--class", "B", "--order-qty", "1", "--required-qty", "0", "--replenish-qty", "1")
