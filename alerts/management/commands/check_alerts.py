from django.core.management.base import BaseCommand

from alerts.checks import DAILY, HOURLY, alerts_check


class Command(BaseCommand):
    help = "Run the alert checks now (R-J2, R-W5, R-A7, R-L4, R-L5): hourly, daily or both."

    def add_arguments(self, parser):
        parser.add_argument("--hourly", action="store_true", help="Only the hourly checks.")
        parser.add_argument("--daily", action="store_true", help="Only the daily checks.")

    def handle(self, *args, hourly=False, daily=False, **options):
        both = hourly == daily
        kinds = (HOURLY if hourly or both else []) + (DAILY if daily or both else [])
        for kind, (raised, cleared) in alerts_check(kinds).items():
            self.stdout.write(f"{kind.value}: {raised} raised, {cleared} cleared")
