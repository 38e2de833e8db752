"""R-R6 after a return is booked: what the work order can still return counts the posted
quantity once — taken off by the ledger, no longer as an open slip."""

import pytest
from django.core.exceptions import ValidationError

from returns.models import ReturnState, Verdict
from tests.returns.builders import draft_return, line, posted_return

pytestmark = pytest.mark.django_db


def test_a_posted_return_counts_once_against_what_can_still_be_returned(
    user, clerk, qc, tube, lot, work_order
):
    posted = posted_return(
        work_order,
        [line(tube, 60, lot=lot)],
        applicant=clerk,
        qc=qc,
        keeper=user,
        verdict=Verdict.GOOD,
        code="LEFTOVER",
    )
    assert posted.state == ReturnState.POSTED
    with pytest.raises(ValidationError, match=r"can still return \(40"):
        draft_return(work_order, clerk, [line(tube, 41, lot=lot)])
    rest = draft_return(work_order, clerk, [line(tube, 40, lot=lot)])
    assert rest.lines.get().quantity == 40 and not rest.lines.get().excess_explanation
