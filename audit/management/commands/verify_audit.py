from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.anchors import anchor_latest_recorded, anchor_parse, anchors_in_text
from audit.models import AuditEvent, ChainHead
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
            metavar="[STREAM:]SEQ:HASH",
            help="a link the chain must still contain, e.g. from the ERP's audit.anchor events "
            "(stream 0 when left out)",
        )
        parser.add_argument(
            "--anchors-file",
            type=Path,
            help="a log or ERP export whose '[stream=…] seq=… hash=…' anchor links are all checked",
        )

    def handle(self, *args, anchor, anchors_file, **options):
        try:
            anchors = [anchor_parse(text) for text in anchor]
            if anchors_file:
                anchors += anchors_in_text(anchors_file.read_text(errors="replace"))
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        problems = audit_chain_problems(anchors=anchors + anchor_latest_recorded())
        if problems:
            raise CommandError(problems[0])
        self.stdout.write(
            f"Audit trail intact: {AuditEvent.objects.count()} events in "
            f"{ChainHead.objects.count()} streams, {len(anchors)} anchors."
        )
