from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.anchors import anchor_latest_recorded, anchor_parse, anchors_in_text
from audit.models import AuditEvent
from audit.selectors import audit_chain_problems


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain against its keys and anchors; exits non-zero "
        "naming the first broken row."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="a link the chain must still contain, e.g. from the ERP's audit.anchor events",
        )
        parser.add_argument(
            "--anchors-file",
            type=Path,
            help="a log or ERP export whose 'seq=… hash=…' anchor lines are all checked",
        )

    def handle(self, *args, anchor, anchors_file, **options):
        try:
            anchors = [anchor_parse(text) for text in anchor]
            if anchors_file:
                anchors += anchors_in_text(anchors_file.read_text(errors="replace"))
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        latest = anchor_latest_recorded()
        problems = audit_chain_problems(anchors=anchors + ([latest] if latest else []))
        if problems:
            raise CommandError(problems[0])
        self.stdout.write(
            f"Audit trail intact: {AuditEvent.objects.count()} events, {len(anchors)} anchors."
        )
