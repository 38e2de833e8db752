from django.utils.translation import gettext as _

from audit.models import AuditEvent, ChainHead
from audit.services import event_hash

VERIFY_BATCH = 2000


def audit_chain_problems():
    """Walk the chain in order; return a list of problems (empty when intact)."""
    expected_prev = "0" * 64
    expected_seq = 1
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=VERIFY_BATCH):
        if event.seq != expected_seq:
            return [_("Audit row #%(seq)s is missing.") % {"seq": expected_seq}]
        if event.prev_hash != expected_prev:
            return [
                _("Audit row #%(seq)s does not follow row #%(prev)s: the chain is broken.")
                % {"seq": event.seq, "prev": event.seq - 1}
            ]
        if event_hash(event) != event.hash:
            return [
                _("Audit row #%(seq)s (id %(id)s) was altered.")
                % {"seq": event.seq, "id": event.pk}
            ]
        expected_prev, expected_seq = event.hash, expected_seq + 1
    head = ChainHead.objects.filter(pk=1).first()
    last_seq = expected_seq - 1
    if head and (head.last_seq != last_seq or head.last_hash != expected_prev):
        return [
            _("Audit rows after #%(seq)s are missing (the chain ends at #%(head)s).")
            % {"seq": last_seq, "head": head.last_seq}
        ]
    return []
