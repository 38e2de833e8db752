from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent
from audit.selectors import audit_chain_problems


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exits non-zero naming the first broken row."

    def handle(self, *args, **options):
        problems = audit_chain_problems()
        if problems:
            raise CommandError(problems[0])
        self.stdout.write(f"Audit trail intact: {AuditEvent.objects.count()} events.")
