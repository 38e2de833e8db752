"""The QC verdict on each returned line (R-R5)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import StateConflict
from core.transactions import atomic_service
from org.access import permission_require
from returns.models import ReturnLine, ReturnRequest, ReturnState, Verdict
from returns.services.common import Actor, ensure_transition, locked, state_change
from returns.services.nonconforming import nonconforming_sync, problem_of
from returns.services.return_lines import ensure_good_stock_allowed, line_summary, lines_given

VERDICT_MISSING = _("Give a QC verdict for line %(line)s (%(material)s).")
VERDICT_UNKNOWN = _("Unknown verdict %(verdict)s.")
OWN_REQUEST_QC = _("You cannot give the QC verdict on your own return.")
DEFECT_RATE_REQUIRED = _("A process defect needs the defect rate of line %(line)s (%(material)s).")
DEFECT_RATE_RANGE = _("The defect rate is a percentage from 0 to 100.")


def verdict_apply(line: ReturnLine, item: dict) -> None:
    verdict = item.get("verdict")
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": VERDICT_UNKNOWN % {"verdict": verdict}})
    rate = item.get("defect_rate")
    if verdict == Verdict.PROCESS_DEFECT and rate is None:
        raise ValidationError(
            {
                "defect_rate": DEFECT_RATE_REQUIRED
                % {"line": line.position, "material": line.material.code}
            }
        )
    if rate is not None and not 0 <= Decimal(rate) <= 100:
        raise ValidationError({"defect_rate": DEFECT_RATE_RANGE})
    if verdict == Verdict.GOOD:
        ensure_good_stock_allowed(line)
    line.verdict, line.defect_rate = verdict, rate
    line.qc_note = (item.get("qc_note") or "")[:300]
    problem_of(line)  # R-R9: a suspect line says what is wrong with it


@atomic_service
def return_qc_verdict(
    *, return_request: ReturnRequest, verdicts: list[dict], actor: Actor, device: str = ""
) -> ReturnRequest:
    """R-R4: a verdict per line: good, supplier defect, process defect with its rate, or
    suspect (R-R9): quarantined under a nonconforming-material record opened here."""
    permission_require(actor, "returns.give_qc_verdict", _("give QC verdicts"))
    return_request = locked(return_request, actor=actor)
    ensure_transition(return_request, ReturnState.INSPECTED, _("inspected"))
    if actor.pk == return_request.applicant_id:
        raise StateConflict(OWN_REQUEST_QC)
    pairs, missing = lines_given(return_request, verdicts)
    if missing:
        line = missing[0]
        raise ValidationError(
            {"lines": VERDICT_MISSING % {"line": line.position, "material": line.material.code}}
        )
    for line, item in pairs:
        verdict_apply(line, item)
    lines = [line for line, _item in pairs]
    ReturnLine.objects.bulk_update(lines, ["verdict", "defect_rate", "qc_note"])
    nonconforming_sync(return_request=return_request, lines=lines, actor=actor, device=device)
    return state_change(
        return_request,
        ReturnState.INSPECTED,
        actor=actor,
        device=device,
        action="qc_verdict",
        details={"lines": [line_summary(line) for line in lines]},
        inspected_by=actor,
        inspected_at=timezone.now(),
    )
