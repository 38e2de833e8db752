"""On PostgreSQL: parallel submits get gap-free unique numbers, and two keepers posting the
same return book it once (the row lock and the state check, STYLE "State machines")."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import StateConflict
from inventory.models import LedgerEntry, MovementType
from inventory.selectors import ledger_balance_mismatches
from returns.models import ReturnRequest, ReturnState, Verdict
from returns.services.return_drafting import return_review, return_submit
from returns.services.return_posting import return_post
from returns.services.return_qc import return_qc_verdict
from returns.services.return_receipt import return_receive
from tests.builders import with_roles
from tests.returns.builders import draft_return, line

THREADS = 8


def run_together(target, args_list):
    """Start one thread per argument tuple at the same moment; collect results and errors."""
    barrier = threading.Barrier(len(args_list))
    results, errors = [], []

    def worker(*args):
        try:
            barrier.wait()
            results.append(target(*args))
        except Exception as error:  # noqa: BLE001 - the test asserts on what was raised
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_submits_get_unique_gap_free_numbers(reference_data, clerk, tube, lot, work_order):
    drafts = [draft_return(work_order, clerk, [line(tube, 5, lot=lot)]) for _ in range(THREADS)]

    results, errors = run_together(
        lambda request: return_submit(return_request=request, actor=clerk), [(d,) for d in drafts]
    )

    assert errors == []
    period = timezone.localtime().strftime("%Y%m")
    numbers = sorted(ReturnRequest.objects.values_list("number", flat=True))
    assert numbers == [f"RT-{period}-{n:04d}" for n in range(1, THREADS + 1)]
    assert set(ReturnRequest.objects.values_list("state", flat=True)) == {ReturnState.SUBMITTED}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_keepers_posting_at_once_book_once(
    reference_data, user, clerk, supervisor, qc, tube, lot, work_order
):
    request = return_submit(
        return_request=draft_return(work_order, clerk, [line(tube, 30, lot=lot)]), actor=clerk
    )
    request = return_review(return_request=request, actor=supervisor)
    request = return_qc_verdict(
        return_request=request,
        verdicts=[{"line": request.lines.get(), "verdict": Verdict.GOOD}],
        actor=qc,
    )
    request = return_receive(return_request=request, lines=[], actor=user)
    keepers = [user, with_roles(supervisor, "keeper")]  # the second keeper races the first

    results, errors = run_together(
        lambda keeper: return_post(return_request=request, actor=keeper), [(k,) for k in keepers]
    )

    assert len(results) == 1 and results[0].state == ReturnState.POSTED
    assert len(errors) == 1 and isinstance(errors[0], StateConflict)
    assert "is posted: it cannot be posted" in str(errors[0])
    [entry] = LedgerEntry.objects.filter(movement_type=MovementType.RETURN)
    assert entry.quantity == Decimal(30) and entry.doc_id == request.number
    assert ledger_balance_mismatches() == []
