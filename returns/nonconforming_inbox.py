"""What the approval inbox shows of a nonconforming-material record (R-R9), as plain rows in
the shape of ``returns.inbox`` (the shared includes read them): its return's reason, the one
suspect line with its verdict and quarantine location, the problem, and the return's
attachments. A fixed number of queries for any number of records."""

from collections.abc import Iterable

from returns.inbox import LINE_COLUMNS, LINE_DEFAULTS, Row, nest, request_attachments
from returns.models import NonconformingRecord, ReturnRequest, Verdict

RECORD_COLUMNS = (
    "id",
    "number",
    "state",
    "problem",
    "dispute",
    "return_request_id",
    "return_request__number",
    "work_order__number",
    "work_order__planned_qty",
    "return_request__reason__code",
    "return_request__reason__name",
    "return_request__reason__name_zh",
    "applicant__username",
)


def inbox_nonconforming(ids: Iterable[int]) -> dict[int, Row]:
    ids = list(ids)
    rows = NonconformingRecord.objects.filter(id__in=ids).values(
        *RECORD_COLUMNS, *(f"return_line__{c}" for c in LINE_COLUMNS[ReturnRequest])
    )
    verdicts = {code: str(label) for code, label in Verdict.choices}
    records, request_ids = {}, set()
    for row in rows:
        record = nest(row)
        slip = nest(record.pop("return_request"))
        line = LINE_DEFAULTS | nest(record.pop("return_line"))
        line["get_verdict_display"] = verdicts.get(line["verdict"], "")
        line["citations"] = {"all": []}
        explanation = f"{slip['number']}: {record['problem']}"
        if record["dispute"]:
            explanation += f" — {record['dispute']}"
        record.update(
            kind="nonconforming",
            label=record["number"],
            reason=slip["reason"],
            applicant=record["applicant"]["username"],
            explanation=explanation,
            amount=None,
            lines=[line],
            attachments=[],
        )
        request_ids.add(record["return_request_id"])
        records[record["id"]] = record
    attachments: dict[int, list[Row]] = {}
    for attachment in request_attachments(ReturnRequest, list(request_ids)):
        attachments.setdefault(attachment.pop("request_id"), []).append(attachment)
    for record in records.values():
        record["attachments"] = attachments.get(record["return_request_id"], [])
    return records
