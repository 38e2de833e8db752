"""What the import does to one master record (a material, a supplier): the plan of a row
with the fields it changes, and the model's own checks reported on the row's cells."""

from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model

from audit.master_data import model_snapshot
from materials.importing.cells import header_check, sheet_rows
from materials.importing.messages import DUPLICATE_CODE


@dataclass
class RecordPlan:
    """What the workbook does to one master record (a material or a supplier)."""

    instance: Model
    row: int
    is_new: bool
    before: dict = field(default_factory=dict)  # old values of the changed fields (attname)
    after: dict = field(default_factory=dict)

    @property
    def status(self):
        if self.is_new:
            return "created"
        return "updated" if self.after else "unchanged"


def record_plan(row, instance, before):
    """The plan of ``instance`` (its values set and checked) against its ``before`` snapshot."""
    after = model_snapshot(instance)
    changed = [name for name in after if name != "updated_at" and after[name] != before[name]]
    return RecordPlan(
        instance,
        row.number,
        instance.pk is None,
        {name: before[name] for name in changed},
        {name: after[name] for name in changed},
    )


def row_clean(row, instance, exclude, column_of=None):
    """The model's own checks (lengths, choices…) reported on the row's cells; ``column_of``
    maps a field to its column where the two are named differently."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            column = "" if name == NON_FIELD_ERRORS else (column_of or {}).get(name, name)
            row.error(column, " ".join(messages))


def coded_rows_plan(sheet, columns, errors, build):
    """Code → RecordPlan for every row of a sheet of coded records; ``build(row, values)``
    makes a row's plan. A code repeated in the sheet is reported at its second row."""
    if sheet is None or not header_check(sheet, columns, errors):
        return {}
    present, plans = [name for name in columns if name in sheet.header], {}
    for row in sheet_rows(sheet, errors):
        values = row.read_all(columns, present)
        code = values.get("code")
        if code in plans:
            row.error("code", DUPLICATE_CODE % {"row": plans[code].row})
            continue
        plan = build(row, values)
        if code:
            plans[code] = plan
    return plans
