"""The daily check of the audit trail's hash chain (R-U1): a break is told to the admins by
e-mail (``mail_admins``) and, through the ``audit_chain_broken`` signal, to whoever listens
(the alerts app notifies the users in the admin role); an intact trail has its streams'
newest links anchored outside the database (``audit.anchors``)."""

from django.core.mail import mail_admins
from django.utils.translation import gettext as _

from audit.anchors import anchor_latest_recorded, audit_anchor_emit
from audit.selectors import audit_chain_check
from audit.signals import audit_chain_broken


def audit_chain_watch():
    """Verify the chain (against the last anchor too); anchor it when intact, else alert the
    admins, never anchoring a broken chain. Returns the problems (empty: intact)."""
    check = audit_chain_check(anchors=anchor_latest_recorded())
    problems = check.problems
    if not problems:
        if check.last:
            audit_anchor_emit(events=list(check.last.values()))
        return []
    title = _("The audit trail is broken")
    body = "\n".join(str(problem) for problem in problems)
    mail_admins(title, body, fail_silently=True)
    audit_chain_broken.send(sender=audit_chain_watch, title=title, body=body)
    return problems
