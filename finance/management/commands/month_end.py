from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from core.errors import StateConflict
from finance.month_end import month_end_compute, previous_month
from finance.reports import month_end_workbook


def month_arg(value):
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except ValueError as error:
        raise CommandError(f"--month must look like 2026-10, not {value!r}") from error


class Command(BaseCommand):
    help = "Compute a month's return/replenishment summary (R-J1) and optionally write Excel."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: last month)")
        parser.add_argument("--xlsx", help="write the workbook to this path")

    def handle(self, *args, **options):
        month = month_arg(options["month"]) if options["month"] else previous_month()
        try:
            month_end = month_end_compute(month=month)
        except StateConflict as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{month_end}: {month_end.lines.count()} lines, "
            f"{month_end.documents.count()} documents."
        )
        if options["xlsx"]:
            month_end_workbook(month_end, options["xlsx"])
            self.stdout.write(f"Workbook written to {options['xlsx']}")
