from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.errors import StateConflict
from core.months import month_parse
from finance.month_end import month_end_compute, previous_month
from finance.workbook import month_end_workbook


class Command(BaseCommand):
    help = "Compute a month's return/replenishment summary (R-J1) and optionally write Excel."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: last month)")
        parser.add_argument("--xlsx", help="write the workbook to this path")

    def handle(self, *args, **options):
        try:
            month = month_parse(options["month"], up_to_now=True) if options["month"] else None
        except ValidationError as error:
            raise CommandError(f"--month: {error.messages[0]}") from error
        try:
            month_end = month_end_compute(month=month or previous_month())
        except StateConflict as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{month_end}: {month_end.lines.count()} lines, "
            f"{month_end.documents.count()} documents."
        )
        if options["xlsx"]:
            month_end_workbook(month_end, options["xlsx"])
            self.stdout.write(f"Workbook written to {options['xlsx']}")
