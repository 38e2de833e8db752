"""What workflow notifications say (R-N1), kept as English msgids with language-neutral
parameters: a notification stores its message code and parameters, so the page shows it in
the reader's language, and the e-mail is written in the site's language (users keep no
language of their own)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from approvals.models import Tier


class NotificationKind(models.TextChoices):
    """What a notification is about; users turn its e-mail on or off per kind."""

    STEP_WAITING = "step_waiting", _("approval waiting for you")
    APPROVED = "approved", _("your request approved")
    REJECTED = "rejected", _("your request rejected")
    POSTED = "posted", _("your return posted")
    ISSUED = "issued", _("your replenishment issued")
    QC_WAITING = "qc_waiting", _("return waiting for QC")
    RECEIPT_WAITING = "receipt_waiting", _("return waiting for receipt")
    ISSUE_WAITING = "issue_waiting", _("replenishment waiting for issue")
    SHORTAGE_OPENED = "shortage_opened", _("shortage slip opened")
    SHORTAGE_FULFILLED = "shortage_fulfilled", _("shortage fulfilled")
    POST_WAITING = "post_waiting", _("return waiting to be posted")
    MONTH_CONFIRMED = "month_confirmed", _("month confirmed")
    MONTH_REOPENED = "month_reopened", _("month reopened")


# message code -> (kind, title, body). Parameters are numbers, codes and user names; "tier"
# is a tier code shown by its label, "reason" the words of whoever rejected or reopened.
MESSAGES = {
    "step_waiting": (
        NotificationKind.STEP_WAITING,
        _("%(request)s waits for your approval"),
        _("The %(tier)s step of %(request)s (work order %(work_order)s) waits for your decision."),
    ),
    "approved": (
        NotificationKind.APPROVED,
        _("%(request)s approved"),
        _("Your request %(request)s (work order %(work_order)s) was approved."),
    ),
    "rejected": (
        NotificationKind.REJECTED,
        _("%(request)s rejected"),
        _("Your request %(request)s (work order %(work_order)s) was rejected: %(reason)s"),
    ),
    "refused": (
        NotificationKind.REJECTED,
        _("%(request)s refused at receipt"),
        _(
            "Your return %(request)s (work order %(work_order)s) was refused by the "
            "warehouse: %(reason)s"
        ),
    ),
    "qc_rejected": (
        NotificationKind.REJECTED,
        _("%(request)s rejected by QC"),
        _("Your return %(request)s (work order %(work_order)s) was rejected by QC: %(reason)s"),
    ),
    "posted": (
        NotificationKind.POSTED,
        _("%(request)s posted"),
        _("Your return %(request)s (work order %(work_order)s) was received and posted."),
    ),
    "issued": (
        NotificationKind.ISSUED,
        _("%(request)s issued"),
        _("Your replenishment %(request)s (work order %(work_order)s) was issued."),
    ),
    "issued_short": (
        NotificationKind.ISSUED,
        _("%(request)s issued short"),
        _(
            "Your replenishment %(request)s (work order %(work_order)s) was issued in part; "
            "shortage slips %(slips)s are open for the rest."
        ),
    ),
    "qc_waiting": (
        NotificationKind.QC_WAITING,
        _("%(request)s waits for QC"),
        _(
            "Return %(request)s (work order %(work_order)s) was approved and waits for the "
            "QC verdict."
        ),
    ),
    "receipt_waiting": (
        NotificationKind.RECEIPT_WAITING,
        _("%(request)s waits for receipt"),
        _(
            "Return %(request)s (work order %(work_order)s) has its QC verdict and waits to "
            "be received."
        ),
    ),
    "post_waiting": (
        NotificationKind.POST_WAITING,
        _("%(request)s waits to be posted"),
        _(
            "Return %(request)s (work order %(work_order)s) was received and waits to be "
            "posted to stock."
        ),
    ),
    "issue_waiting": (
        NotificationKind.ISSUE_WAITING,
        _("%(request)s waits for issue"),
        _(
            "Replenishment %(request)s (work order %(work_order)s) was approved and waits "
            "to be issued."
        ),
    ),
    "shortage_opened": (
        NotificationKind.SHORTAGE_OPENED,
        _("Shortage %(number)s opened"),
        _(
            "%(quantity)s of %(material)s could not be issued for %(request)s "
            "(work order %(work_order)s)."
        ),
    ),
    "shortage_fulfilled": (
        NotificationKind.SHORTAGE_FULFILLED,
        _("Shortage %(number)s fulfilled"),
        _(
            "%(quantity)s of %(material)s short on %(request)s has arrived and was issued to "
            "work order %(work_order)s."
        ),
    ),
    "month_confirmed": (
        NotificationKind.MONTH_CONFIRMED,
        _("Month %(month)s confirmed"),
        _("%(user)s confirmed and locked month %(month)s: nothing can be posted in it now."),
    ),
    "month_reopened": (
        NotificationKind.MONTH_REOPENED,
        _("Month %(month)s reopened"),
        _("%(user)s reopened month %(month)s: %(reason)s"),
    ),
}

TIER_LABELS = dict(Tier.choices)


def message_kind(code: str) -> str:
    return MESSAGES[code][0]


def shown_params(params: dict) -> dict:
    """The stored parameters as shown now: a tier code becomes its label in the active
    language."""
    if "tier" not in params:
        return params
    return {**params, "tier": TIER_LABELS.get(params["tier"], params["tier"])}


def message_title(code: str, params: dict) -> str:
    return str(MESSAGES[code][1] % shown_params(params))


def message_body(code: str, params: dict) -> str:
    return str(MESSAGES[code][2] % shown_params(params))
