from django.core.management.base import BaseCommand, CommandError

from inventory.models import StockBalance
from inventory.selectors import ledger_balance_mismatches


class Command(BaseCommand):
    help = "Prove every stock balance equals the sum of its ledger entries (R-L2)."

    def handle(self, *args, **options):
        mismatches = ledger_balance_mismatches()
        for material_id, lot_id, location_id, balance, ledger in mismatches:
            self.stderr.write(
                f"material {material_id} lot {lot_id} location {location_id}: "
                f"balance {balance} != ledger {ledger}"
            )
        if mismatches:
            raise CommandError(f"{len(mismatches)} balance(s) differ from the ledger.")
        self.stdout.write(f"Ledger consistent: {StockBalance.objects.count()} balances checked.")
