from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from audit.anchors import Anchor
from audit.keys import audit_keys
from audit.models import AuditEvent, ChainHead
from audit.services import event_hash

VERIFY_BATCH = 2000
GENESIS = "0" * 64


@dataclass
class ChainCheck:
    problems: list[str] = field(default_factory=list)
    last: AuditEvent | None = None  # the newest link verified


def link_problem(
    event: AuditEvent, *, seq: int, prev_hash: str, keys: dict[str, bytes], keyed: bool
) -> str | None:
    """What is wrong with one row given the link before it, or None. ``keyed``: keyed hashing
    had started, so an unkeyed (legacy) row here was forged to dodge the key."""
    if event.seq != seq:
        return _("Audit row #%(seq)s is missing.") % {"seq": seq}
    if event.prev_hash != prev_hash:
        return _("Audit row #%(seq)s does not follow row #%(prev)s: the chain is broken.") % {
            "seq": event.seq,
            "prev": event.seq - 1,
        }
    if not event.key_id and keyed:
        return _(
            "Audit row #%(seq)s has no key although the chain is keyed before it: it was forged."
        ) % {"seq": event.seq}
    if event.key_id and event.key_id not in keys:
        return _(
            'Audit row #%(seq)s is signed with the unknown key "%(key)s" '
            "(AUDIT_HMAC_KEYS must keep old keys)."
        ) % {"seq": event.seq, "key": event.key_id}
    if event_hash(event, keys.get(event.key_id)) != event.hash:
        return _("Audit row #%(seq)s (id %(id)s) was altered.") % {"seq": event.seq, "id": event.pk}
    return None


def anchor_problem(anchor: Anchor, hashes: dict[int, str], last_seq: int) -> str | None:
    if anchor.seq not in hashes:
        return _(
            "The audit chain ends at #%(last)s, before the anchored row #%(seq)s: "
            "rows were removed."
        ) % {"last": last_seq, "seq": anchor.seq}
    if hashes[anchor.seq] != anchor.hash:
        return _("Audit row #%(seq)s does not match its anchor: the chain was rewritten.") % {
            "seq": anchor.seq
        }
    return None


def audit_chain_check(*, anchors: Iterable[Anchor] = ()) -> ChainCheck:
    """Walk the chain in order: each row follows the one before, carries a valid HMAC (or is
    part of the legacy prefix), the head names the last row and every anchor is still in it.
    Stops at the first problem."""
    anchors = list(anchors)
    anchored = {anchor.seq for anchor in anchors}
    keys = audit_keys()
    head = ChainHead.objects.filter(pk=1).first()
    keyed_from = head.keyed_from if head else 1
    check, hashes, keyed = ChainCheck(), {}, False
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=VERIFY_BATCH):
        keyed = keyed or event.seq >= keyed_from
        problem = link_problem(
            event,
            seq=check.last.seq + 1 if check.last else 1,
            prev_hash=check.last.hash if check.last else GENESIS,
            keys=keys,
            keyed=keyed,
        )
        if problem:
            check.problems.append(problem)
            return check
        keyed = keyed or bool(event.key_id)
        if event.seq in anchored:
            hashes[event.seq] = event.hash
        check.last = event
    last_seq, last_hash = (check.last.seq, check.last.hash) if check.last else (0, GENESIS)
    if head and (head.last_seq != last_seq or head.last_hash != last_hash):
        check.problems.append(
            _("Audit rows after #%(seq)s are missing (the chain ends at #%(head)s).")
            % {"seq": last_seq, "head": head.last_seq}
        )
    check.problems.extend(
        filter(None, (anchor_problem(anchor, hashes, last_seq) for anchor in anchors))
    )
    return check


def audit_chain_problems(*, anchors: Iterable[Anchor] = ()) -> list[str]:
    """The chain's problems (empty when intact)."""
    return audit_chain_check(anchors=anchors).problems
