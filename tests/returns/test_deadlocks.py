"""Issue #12 defect 1 on PostgreSQL: two transactions forced into the interleavings that
deadlocked under load. Both run inside the test's own transaction (or through the API while
the other waits), and no retry may have hidden a deadlock: the log must show none."""

import logging
import threading
from decimal import Decimal

import pytest
from django.db import transaction

from inventory.models import LedgerEntry, MovementType, StockBalance
from inventory.selectors import ledger_balance_mismatches
from inventory.services import stock_transfer
from returns.models import ReturnState, Verdict
from returns.services.return_drafting import return_review, return_submit
from returns.services.return_posting import return_post
from returns.services.return_qc import return_qc_verdict
from returns.services.return_receipt import return_receive
from tests.builders import days_from_today, location, receive
from tests.concurrency import Session, wait_until_blocked
from tests.returns.builders import draft_return, line
from workorders.services.issuing import IssueLine, work_order_issue

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def inspected(reference_data, clerk, supervisor, qc, tube, lot, work_order):
    """A return of 30 tubes of lot T1, judged good: the keeper receives it next."""
    request = return_submit(
        return_request=draft_return(work_order, clerk, [line(tube, 30, lot=lot)]), actor=clerk
    )
    request = return_review(return_request=request, actor=supervisor)
    return return_qc_verdict(
        return_request=request,
        verdicts=[{"line": request.lines.get(), "verdict": Verdict.GOOD}],
        actor=qc,
    )


def no_retry_logged(caplog):
    return not [r for r in caplog.records if "retrying" in r.getMessage()]


def test_posting_and_issue_on_one_work_order_do_not_deadlock_at_commit(
    inspected, user, tube, shelf, work_order, caplog
):
    """The posting writes ledger rows referencing the work order (a deferred FK check) and
    holds the chain head; the issue locks the work order and waits for the chain head. The
    deferred check at COMMIT then waited for the work order: a deadlock (359 of 367)."""
    caplog.set_level(logging.WARNING)
    received = return_receive(return_request=inspected, lines=[], actor=user)
    receive(tube, shelf, 50, user, batch_no="T2", expiry_date=days_from_today(300))
    other_lot = tube.lots.get(batch_no="T2")
    posted, commit = threading.Event(), threading.Event()

    def post_and_hold(session):
        with transaction.atomic():
            return_post(return_request=received, actor=user)
            posted.set()
            commit.wait()

    def issue(session):
        with transaction.atomic():
            return work_order_issue(
                work_order=work_order,
                actor=user,
                lines=[IssueLine(tube, Decimal(10), shelf, lot=other_lot)],
            )

    poster = Session(post_and_hold).begin()
    posted.wait()
    issuer = Session(issue).begin()
    wait_until_blocked(issuer.pid)
    commit.set()
    poster.join(), issuer.join()

    assert (poster.error, issuer.error) == (None, None)
    returned = LedgerEntry.objects.filter(movement_type=MovementType.RETURN)
    assert [e.quantity for e in returned] == [Decimal(30)]
    assert LedgerEntry.objects.filter(doc_id=issuer.result.number).count() == 1
    assert ledger_balance_mismatches() == [] and no_retry_logged(caplog)


def test_receive_scan_locks_the_balance_rows_before_the_chain_head(
    api, inspected, user, tube, lot, shelf, caplog
):
    """receive-scan receives (audit: the chain head) then posts (balance rows). A posting
    holding the same balance row then waited for the chain head: the other 8 deadlocks."""
    caplog.set_level(logging.WARNING)
    other_shelf = location("B")
    held, release = threading.Event(), threading.Event()

    def hold_balance_then_transfer(session):
        with transaction.atomic():
            StockBalance.objects.select_for_update().get(material=tube, lot=lot, location=shelf)
            held.set()
            release.wait()
            return stock_transfer(
                material=tube,
                lot=lot,
                from_location=shelf,
                to_location=other_shelf,
                quantity=Decimal(5),
                actor=user,
            )

    def scan(session):
        body = {"slip": inspected.number, "lines": [{"code": "L:TUBE|T1", "quantity": "30"}]}
        return api.post("/api/v1/returns/receive-scan/", body, format="json")

    holder = Session(hold_balance_then_transfer).begin()
    held.wait()
    scanner = Session(scan).begin()
    wait_until_blocked(scanner.pid)
    release.set()
    holder.join(), scanner.join()

    assert (holder.error, scanner.error) == (None, None)
    assert scanner.result.status_code == 200, scanner.result.content
    assert scanner.result.json()["state"] == ReturnState.POSTED
    balance = StockBalance.objects.get(material=tube, lot=lot, location=shelf)
    assert balance.quantity == Decimal(500 - 100 + 30 - 5)
    assert ledger_balance_mismatches() == [] and no_retry_logged(caplog)


def test_receive_scan_takes_the_work_order_before_the_balances_and_the_chain_head(
    inspected, user, tube, lot, shelf, work_order, caplog
):
    """An issue holds the work order (FOR UPDATE) while a receive-scan runs. The posting's
    ledger rows name the work order; after the receipt's audit event their foreign-key check
    is immediate, so it waited for the work order while holding the balances and the chain
    head the issue needs next: the deadlock left under load. The posting now takes the work
    order (key share) before the balances, so it simply waits for the issue to commit."""
    caplog.set_level(logging.WARNING)
    held, release = threading.Event(), threading.Event()

    def issue_holding_the_work_order(session):
        with transaction.atomic():
            type(work_order).objects.select_for_update(of=("self",)).get(pk=work_order.pk)
            held.set()
            release.wait()
            return work_order_issue(
                work_order=work_order,
                actor=user,
                lines=[IssueLine(tube, Decimal(10), shelf, lot=lot)],
            )

    def receive_and_post(session):
        with transaction.atomic():
            return return_receive(return_request=inspected, lines=[], actor=user, post=True)

    issuer = Session(issue_holding_the_work_order).begin()
    held.wait()
    keeper = Session(receive_and_post).begin()
    wait_until_blocked(keeper.pid)
    release.set()
    issuer.join(), keeper.join()

    assert (issuer.error, keeper.error) == (None, None)
    assert keeper.result.state == ReturnState.POSTED
    balance = StockBalance.objects.get(material=tube, lot=lot, location=shelf)
    assert balance.quantity == Decimal(500 - 100 + 30 - 10)
    assert ledger_balance_mismatches() == [] and no_retry_logged(caplog)
