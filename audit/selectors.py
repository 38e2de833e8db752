from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from audit.anchors import Anchor
from audit.keys import audit_keys
from audit.models import AuditEvent, ChainHead, link_name
from audit.services import event_hash
from core.db import snapshot_read

VERIFY_BATCH = 2000
GENESIS = "0" * 64


@dataclass
class ChainCheck:
    problems: list[str] = field(default_factory=list)
    # The newest link verified in each stream, by stream.
    last: dict[int, AuditEvent] = field(default_factory=dict)


def link_problem(
    event: AuditEvent, *, seq: int, prev_hash: str, keys: dict[str, bytes], keyed: bool
) -> str | None:
    """What is wrong with one row given the link before it in its stream, or None. ``keyed``:
    keyed hashing had started, so an unkeyed (legacy) row here was forged to dodge the key."""
    name = link_name(event.stream, event.seq)
    if event.seq != seq:
        return _("Audit row #%(seq)s is missing.") % {"seq": link_name(event.stream, seq)}
    if event.prev_hash != prev_hash:
        return _("Audit row #%(seq)s does not follow row #%(prev)s: the chain is broken.") % {
            "seq": name,
            "prev": link_name(event.stream, event.seq - 1),
        }
    if not event.key_id and keyed:
        return _(
            "Audit row #%(seq)s has no key although the chain is keyed before it: it was forged."
        ) % {"seq": name}
    if event.key_id and event.key_id not in keys:
        return _(
            'Audit row #%(seq)s is signed with the unknown key "%(key)s" '
            "(AUDIT_HMAC_KEYS must keep old keys)."
        ) % {"seq": name, "key": event.key_id}
    if event_hash(event, keys.get(event.key_id)) != event.hash:
        return _("Audit row #%(seq)s (id %(id)s) was altered.") % {"seq": name, "id": event.pk}
    return None


def head_problem(stream: int, head: ChainHead | None, last: AuditEvent | None) -> str | None:
    """Whether the stream's head names the last row verified (rows cut off the end)."""
    last_seq, last_hash = (last.seq, last.hash) if last else (0, GENESIS)
    if head is None:
        if last is None:
            return None
        return _("Audit stream %(stream)s has rows but no head: its end was removed.") % {
            "stream": stream
        }
    if (head.last_seq, head.last_hash) == (last_seq, last_hash):
        return None
    return _("Audit rows after #%(seq)s are missing (the chain ends at #%(head)s).") % {
        "seq": link_name(stream, last_seq),
        "head": link_name(stream, head.last_seq),
    }


def anchor_problem(
    anchor: Anchor, hashes: dict[tuple[int, int], str], last: dict[int, AuditEvent]
) -> str | None:
    name = link_name(anchor.stream, anchor.seq)
    if (anchor.stream, anchor.seq) not in hashes:
        end = last.get(anchor.stream)
        return _(
            "The audit chain ends at #%(last)s, before the anchored row #%(seq)s: "
            "rows were removed."
        ) % {"last": link_name(anchor.stream, end.seq if end else 0), "seq": name}
    if hashes[anchor.stream, anchor.seq] != anchor.hash:
        return _("Audit row #%(seq)s does not match its anchor: the chain was rewritten.") % {
            "seq": name
        }
    return None


def audit_chain_check(*, anchors: Iterable[Anchor] = ()) -> ChainCheck:
    """Walk each stream in order: each row follows the one before, carries a valid HMAC (or
    is part of the legacy prefix), each head names its stream's last row and every anchor is
    still in its stream. Stops at the first broken row. Heads and rows are read in one
    snapshot: events committed meanwhile would otherwise show as rows past their head."""
    with snapshot_read():
        return chain_walk(list(anchors))


def chain_walk(anchors: list[Anchor]) -> ChainCheck:
    anchored = {(anchor.stream, anchor.seq) for anchor in anchors}
    keys = audit_keys()
    heads = {head.stream: head for head in ChainHead.objects.all()}
    check, hashes, keyed = ChainCheck(), {}, False
    events = AuditEvent.objects.order_by("stream", "seq").iterator(chunk_size=VERIFY_BATCH)
    for event in events:
        before = check.last.get(event.stream)
        head = heads.get(event.stream)
        # Keyed hashing starts in each stream at its head's marker or its first keyed row.
        keyed = (keyed and before is not None) or event.seq >= (head.keyed_from if head else 1)
        problem = link_problem(
            event,
            seq=before.seq + 1 if before else 1,
            prev_hash=before.hash if before else GENESIS,
            keys=keys,
            keyed=keyed,
        )
        if problem:
            check.problems.append(problem)
            return check
        keyed = keyed or bool(event.key_id)
        if (event.stream, event.seq) in anchored:
            hashes[event.stream, event.seq] = event.hash
        check.last[event.stream] = event
    for stream in sorted(heads.keys() | check.last.keys()):
        problem = head_problem(stream, heads.get(stream), check.last.get(stream))
        check.problems.extend([problem] if problem else [])
    check.problems.extend(
        filter(None, (anchor_problem(anchor, hashes, check.last) for anchor in anchors))
    )
    return check


def audit_chain_problems(*, anchors: Iterable[Anchor] = ()) -> list[str]:
    """The chain's problems (empty when intact)."""
    return audit_chain_check(anchors=anchors).problems
