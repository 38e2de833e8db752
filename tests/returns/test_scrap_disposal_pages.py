"""Scrap disposal pages (R-D1): new (picked from scrap/quarantine stock with its on-hand),
detail with submit/post/cancel (posting and cancelling ask first), list with filters, the
printed slip with its barcode, the inbox and the menu."""

import pytest
from django.urls import reverse

from approvals.models import Tier
from returns.models import DisposalState, ScrapDisposal
from tests.builders import with_roles
from tests.returns.builders import approve_all, tier_holder

pytestmark = pytest.mark.django_db


@pytest.fixture
def qc_client(client, qc):
    with_roles(qc, "qc")
    client.force_login(qc)
    return client


def new_disposal(qc_client, workshop, balance, quantity="2"):
    return qc_client.post(
        reverse("returns:disposal_new"),
        {
            "workshop": workshop.pk,
            "route": "regrind",
            "explanation": "burrs",
            f"qty_{balance.pk}": quantity,
        },
    )


def scrap_balance(scrap_area):
    return scrap_area.balances.get()


def test_new_disposal_page_lists_scrap_stock_and_creates_a_draft(
    scrap_return, qc_client, workshop, scrap_area, shelf
):
    page = qc_client.get(reverse("returns:disposal_new"))
    assert page.status_code == 200
    text = page.content.decode()
    assert f'name="qty_{scrap_balance(scrap_area).pk}"' in text
    assert "SC" in text and ">A <" not in text  # the storage shelf is not offered
    answer = new_disposal(qc_client, workshop, scrap_balance(scrap_area))
    disposal = ScrapDisposal.objects.get()
    assert answer.status_code == 302 and answer.url == disposal.get_absolute_url()
    assert disposal.route == "regrind" and disposal.lines.get().quantity == 2


def test_too_much_shows_the_message_and_creates_nothing(
    scrap_return, qc_client, workshop, scrap_area
):
    answer = new_disposal(qc_client, workshop, scrap_balance(scrap_area), "9")
    assert answer.status_code == 200
    assert "cannot be disposed of" in answer.content.decode()
    assert not ScrapDisposal.objects.exists()


def test_detail_submit_inbox_post_print_and_list(
    scrap_return, qc_client, client, user, workshop, scrap_area
):
    new_disposal(qc_client, workshop, scrap_balance(scrap_area))
    disposal = ScrapDisposal.objects.get()
    detail = qc_client.get(disposal.get_absolute_url())
    assert 'data-testid="disposal-submit"' in detail.content.decode()
    qc_client.post(reverse("returns:disposal_action", args=[disposal.pk, "submit"]))
    disposal.refresh_from_db()
    assert disposal.state == DisposalState.SUBMITTED

    approver = tier_holder(Tier.QC)
    client.force_login(approver)
    inbox = client.get(reverse("approvals:inbox")).content.decode()
    assert disposal.number in inbox
    assert reverse("returns:slip_print", args=[disposal.number]) in inbox
    approve_all(disposal)

    client.force_login(with_roles(user, "keeper"))
    unconfirmed = client.post(reverse("returns:disposal_action", args=[disposal.pk, "post"]))
    assert unconfirmed.status_code == 302
    disposal.refresh_from_db()
    assert disposal.state == DisposalState.APPROVED  # nothing without "I confirm"
    client.post(reverse("returns:disposal_action", args=[disposal.pk, "post"]), {"confirmed": "1"})
    disposal.refresh_from_db()
    assert disposal.state == DisposalState.POSTED

    printed = client.get(reverse("returns:slip_print", args=[disposal.number]))
    assert printed.status_code == 200
    assert "<svg" in printed.content.decode() and disposal.number in printed.content.decode()

    listed = client.get(reverse("returns:disposal_list"), {"state": "posted", "route": "regrind"})
    assert disposal.number in listed.content.decode()
    none = client.get(reverse("returns:disposal_list"), {"route": "rework"})
    assert disposal.number not in none.content.decode()
    bad_month = client.get(reverse("returns:disposal_list"), {"month": "May"})
    assert bad_month.status_code == 200 and "YYYY-MM" in bad_month.content.decode()


def test_menu_shows_scrap_disposals_to_qc_and_keepers_only(qc_client, client, clerk):
    url = reverse("returns:disposal_list")
    assert f'href="{url}"' in qc_client.get(reverse("portal:home")).content.decode()
    client.force_login(clerk)
    assert f'href="{url}"' not in client.get(reverse("portal:home")).content.decode()
    assert client.get(reverse("returns:disposal_new")).status_code == 403
