"""What every export builder shares: local times for Excel, a percent format, and a row
counter that reports progress while rows stream into a constant-memory workbook."""

from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

from django.conf import settings

from core.excel import MONEY_FORMAT, Column, Workbook, sheet_write

PERCENT_FORMAT = "0.00"
Params = dict[str, Any]  # an export's cleaned parameters (objects looked up)
Target = str | BinaryIO  # where a workbook goes: a path or a binary file


class Progress:
    """Counts rows as sheets consume them and calls ``report(rows_done)`` every ``every``
    rows; the count runs across all sheets of one workbook."""

    def __init__(
        self, report: Callable[[int], None] | None = None, every: int | None = None
    ) -> None:
        self.report = report
        self.every = every or settings.EXPORT_PROGRESS_ROWS
        self.done = 0

    def track(self, rows: Iterable[tuple]) -> Iterator[tuple]:
        for row in rows:
            yield row
            self.done += 1
            if self.report is not None and self.done % self.every == 0:
                self.report(self.done)


def cost_filtered(
    columns: list[Column], rows: Iterable[tuple], costs: bool
) -> tuple[list[Column], Iterable[tuple]]:
    """Without cost visibility (``org.access.can_see_costs``) money columns are left out."""
    if costs:
        return columns, rows
    keep = [i for i, column in enumerate(columns) if column.number_format != MONEY_FORMAT]
    return [columns[i] for i in keep], (tuple(row[i] for i in keep) for row in rows)


def sheet_add(
    workbook: Workbook,
    title: str,
    columns: list[Column],
    rows: Iterable[tuple],
    *,
    params: Params,
    progress: Progress,
) -> int:
    """One streamed sheet of an export; ``params["costs"]`` (default True) keeps amounts."""
    columns, rows = cost_filtered(columns, rows, params.get("costs", True))
    return sheet_write(workbook, str(title), columns, progress.track(rows))
