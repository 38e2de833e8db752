"""Every workflow notification event (R-N1, issue #15 acceptance): one table row per event,
driven through the real services, each checked the same way:

- exactly the right people are told, each once, and nobody else at all (other workshop,
  other role, inactive, the actor's own request);
- the notice reads in each reader's language, whatever the actor's (the action runs in
  Chinese, the stored text is the site's English, a Chinese reader sees Chinese);
- it links to its document, and the recipient can open that page;
- its e-mail is queued once through the outbox for those who want it and have an address,
  none for those who turned the kind off; sent once after the commit;
- a repeat (the signals sent again, the outbox tasks run again) tells and mails nobody again.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from celery import current_app
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from alerts.messages import message_title
from alerts.models import Notification
from alerts.services import notification_preferences_set
from approvals.models import MATRIX_CHAIN, Delegation, StepState, Tier
from approvals.services import approval_decide, steps_of
from approvals.signals import step_pending
from core.models import OutboxEvent, OutboxKind
from finance.models import MonthEnd
from finance.month_end import month_end_confirm, month_end_reopen, previous_month
from finance.signals import month_confirmed, month_reopened
from materials.models import Material
from returns.models import ReplenishRequest, ReturnRequest, ShortageSlip
from returns.services.issuing import replenish_issue, shortage_fulfil
from returns.services.replenish import replenish_submit
from returns.services.return_drafting import return_submit
from returns.services.return_posting import return_post
from returns.services.return_qc import return_qc_verdict
from returns.services.return_receipt import return_receive
from returns.services.return_refusal import return_qc_reject, return_refuse
from returns.signals import request_state_changed, shortages_opened
from tests.alerts.test_workflow import CJK
from tests.builders import location, receive, released_work_order, with_roles
from tests.factories import MaterialFactory, UserFactory, WorkshopFactory
from tests.returns.builders import draft_return, line, pending_step, replenishment, tier_holder
from workorders.services.issuing import IssueLine, work_order_issue

pytestmark = pytest.mark.django_db

EMAIL_TASK = "alerts.tasks.notifications_email_task"
REASON = "批次错误 wrong lot"
SIGNALS = [step_pending, request_state_changed, shortages_opened, month_confirmed, month_reopened]
APPLICANT = ["clerk-1"]
QC = ["qc-off", "qc-on"]
KEEPERS = ["keeper-off", "keeper-on"]
MATERIAL_CONTROL = ["mc-off", "mc-on"]
MONTH = ["fin-off", "fin-on", "root"]  # finance and the superuser; not admin, auditor, keeper
SUPERVISORS = ["deputy", "supervisor-WS1", "supervisor-plant"]  # + the active delegate


# ---------------------------------------------------------------------------- the people


def person(username, *roles, workshops=(), email=True, muted=False):
    """A user in ``roles``; ``muted`` turned every e-mail off (the app still tells them)."""
    user = UserFactory(username=username, email=f"{username}@example.com" if email else "")
    with_roles(user, *roles, workshops=workshops)
    if muted:
        notification_preferences_set(user=user, email_kinds=[])
    return user


@pytest.fixture
def people(workshop, work_order):
    """Everyone who might be told: for each role one person who gets e-mail and one who
    turned it off; people of another workshop and of other roles; an inactive inspector;
    the approvers of WS1, of the plant and of WS2, an active and an expired delegate."""
    ws2 = WorkshopFactory(code="WS2")
    users = {
        "clerk-1": person("clerk-1", "clerk", workshops=[workshop]),
        "clerk-2": person("clerk-2", "clerk", workshops=[ws2]),
        "leader-2": person("leader-2", "team_leader", workshops=[ws2]),
        "qc-on": person("qc-on", "qc"),
        "qc-off": person("qc-off", "qc", muted=True),
        "qc-gone": person("qc-gone", "qc"),
        "keeper-on": person("keeper-on", "keeper"),
        "keeper-off": person("keeper-off", "keeper", muted=True),
        "mc-on": person("mc-on", "material_control"),
        "mc-off": person("mc-off", "material_control", muted=True),
        "fin-on": person("fin-on", "finance"),
        "fin-off": person("fin-off", "finance", muted=True),
        "admin-1": person("admin-1", "admin"),
        "auditor": person("auditor", "auditor"),
        "root": UserFactory(username="root", is_superuser=True),  # no address: no e-mail
        "deputy": UserFactory(username="deputy"),
        "deputy-last-year": UserFactory(username="deputy-last-year"),
    }
    users["qc-gone"].is_active = False
    users["qc-gone"].save()
    users["supervisor-WS1"] = tier_holder(Tier.SUPERVISOR, workshop)
    users["supervisor-plant"] = tier_holder(Tier.SUPERVISOR)
    users["supervisor-WS2"] = tier_holder(Tier.SUPERVISOR, ws2)
    for tier in MATRIX_CHAIN:  # plant-wide holders of the higher tiers
        users[f"{tier}-plant"] = tier_holder(tier)
    today = timezone.localdate()
    Delegation.objects.create(
        principal=users["supervisor-WS1"], delegate=users["deputy"], starts=today, ends=today
    )
    Delegation.objects.create(
        principal=users["supervisor-WS1"],
        delegate=users["deputy-last-year"],
        starts=today - timedelta(days=400),
        ends=today - timedelta(days=365),
    )
    return users


# ---------------------------------------------------------------------------- the states


def tube():
    return Material.objects.get(code="TUBE")


def drafted_return(p, wo):
    return draft_return(wo, p["clerk-1"], [line(tube(), "10")])


def submitted_return(p, wo):
    return return_submit(return_request=drafted_return(p, wo), actor=p["clerk-1"])


def reviewed_return(p, wo):
    slip = submitted_return(p, wo)
    approval_decide(step=pending_step(slip), actor=p["supervisor-WS1"], approve=True)
    return ReturnRequest.objects.get(pk=slip.pk)


def verdicts(slip):
    return [{"line": ln, "verdict": "good"} for ln in slip.lines.all()]


def inspected_return(p, wo):
    slip = reviewed_return(p, wo)
    return return_qc_verdict(return_request=slip, verdicts=verdicts(slip), actor=p["qc-on"])


def received_return(p, wo):
    slip = inspected_return(p, wo)
    return return_receive(return_request=slip, lines=[], actor=p["keeper-on"])


def submitted_replenishment(p, wo, quantity="10"):
    request = replenishment(wo, p["clerk-1"], [line(tube(), quantity)])
    return replenish_submit(replenish_request=request, actor=p["clerk-1"])


def open_steps(request):
    return steps_of(request).filter(state__in=[StepState.PENDING, StepState.WAITING])


def approve_pending(p, request, *, approve=True, comment=""):
    step = pending_step(request)
    approval_decide(step=step, actor=p[f"{step.tier}-plant"], approve=approve, comment=comment)


def climbing_replenishment(p, wo):
    """Its first step pending, more to come."""
    request = submitted_replenishment(p, wo, "30")
    assert open_steps(request).count() >= 2
    return request


def last_step_replenishment(p, wo):
    """Every step approved but the last."""
    request = submitted_replenishment(p, wo)
    while open_steps(request).count() > 1:
        approve_pending(p, request)
    return request


def approved_replenishment(p, wo):
    request = last_step_replenishment(p, wo)
    approve_pending(p, request)
    return ReplenishRequest.objects.get(pk=request.pk)


def approved_short(p, wo):
    """20 BOLT asked for on WO-B when 5 are in stock."""
    bolt, shelf = MaterialFactory(code="BOLT"), location("B")
    receive(bolt, shelf, 10, p["root"])
    order = released_work_order(
        p["root"], components=[(bolt, 1, 0)], number="WO-B", workshop=wo.workshop
    )
    work_order_issue(work_order=order, actor=p["root"], lines=[IssueLine(bolt, 5, shelf)])
    request = replenishment(order, p["clerk-1"], [line(bolt, 20)])
    request = replenish_submit(replenish_request=request, actor=p["clerk-1"])
    while open_steps(request).exists():
        approve_pending(p, request)
    return ReplenishRequest.objects.get(pk=request.pk), shelf


def short_slip(p, wo):
    """The 15 BOLT short, arrived in stock since."""
    request, shelf = approved_short(p, wo)
    replenish_issue(replenish_request=request, actor=p["keeper-on"])
    slip = ShortageSlip.objects.get(material__code="BOLT")
    receive(slip.material, shelf, 15, p["root"])
    return slip


def last_month(p, wo):
    return MonthEnd.objects.create(month=previous_month())


def confirmed_month(p, wo):
    return month_end_confirm(month_end=last_month(p, wo), actor=p["fin-on"])


# ---------------------------------------------------------------------------- the table


@dataclass
class Event:
    name: str
    before: Callable  # (people, work order) -> the document
    act: Callable  # (people, document) -> anything
    told: dict[str, list[str]]  # message code -> usernames
    reason: str = ""  # the words the applicant must read
    document: Callable = field(default=lambda doc: doc)  # what the notices are about


def request_page(doc):
    return doc.get_absolute_url()


def month_url(doc):
    return reverse("finance:month_end_detail", args=[doc.month])


# message code -> the page its notice opens, from its document; the rest: the request's page
URLS = {
    "step_waiting": lambda doc: reverse("approvals:inbox"),
    "qc_waiting": lambda doc: reverse("returns:qc_verdict", args=[doc.pk]),
    "receipt_waiting": lambda doc: f"{reverse('returns:receiving')}?slip={doc.number}",
    "month_confirmed": month_url,
    "month_reopened": month_url,
}


EVENTS = [
    Event(
        "return submitted",
        drafted_return,
        lambda p, doc: return_submit(return_request=doc, actor=p["clerk-1"]),
        {"step_waiting": SUPERVISORS},
    ),
    Event(
        "return approved",
        submitted_return,
        lambda p, doc: approval_decide(
            step=pending_step(doc), actor=p["supervisor-WS1"], approve=True
        ),
        {"approved": APPLICANT, "qc_waiting": QC},
    ),
    Event(
        "return rejected by its approver",
        submitted_return,
        lambda p, doc: approval_decide(
            step=pending_step(doc), actor=p["deputy"], approve=False, comment=REASON
        ),
        {"rejected": APPLICANT},
        reason=REASON,
    ),
    Event(
        "QC verdict given",
        reviewed_return,
        lambda p, doc: return_qc_verdict(
            return_request=doc, verdicts=verdicts(doc), actor=p["qc-off"]
        ),
        {"receipt_waiting": KEEPERS},
    ),
    Event(
        "rejected by QC",
        reviewed_return,
        lambda p, doc: return_qc_reject(return_request=doc, reason=REASON, actor=p["qc-on"]),
        {"qc_rejected": APPLICANT},
        reason=REASON,
    ),
    Event(
        "refused at receipt",
        inspected_return,
        lambda p, doc: return_refuse(return_request=doc, reason=REASON, actor=p["keeper-on"]),
        {"refused": APPLICANT},
        reason=REASON,
    ),
    Event(
        "received, waiting to be posted",
        inspected_return,
        lambda p, doc: return_receive(return_request=doc, lines=[], actor=p["keeper-on"]),
        {"post_waiting": KEEPERS},
    ),
    Event(
        "received and posted in one step",
        inspected_return,
        lambda p, doc: return_receive(
            return_request=doc, lines=[], actor=p["keeper-on"], post=True
        ),
        {"posted": APPLICANT},
    ),
    Event(
        "posted",
        received_return,
        lambda p, doc: return_post(return_request=doc, actor=p["keeper-off"]),
        {"posted": APPLICANT},
    ),
    Event(
        "replenishment step approved, the next tier waits",
        climbing_replenishment,
        approve_pending,
        {"step_waiting": ["production_manager-plant"]},
    ),
    Event(
        "replenishment approved",
        last_step_replenishment,
        approve_pending,
        {"approved": APPLICANT, "issue_waiting": KEEPERS},
    ),
    Event(
        "replenishment rejected",
        submitted_replenishment,
        lambda p, doc: approve_pending(p, doc, approve=False, comment=REASON),
        {"rejected": APPLICANT},
        reason=REASON,
    ),
    Event(
        "replenishment issued",
        approved_replenishment,
        lambda p, doc: replenish_issue(replenish_request=doc, actor=p["keeper-on"]),
        {"issued": APPLICANT},
    ),
    Event(
        "issued short: a shortage slip opened",
        lambda p, wo: approved_short(p, wo)[0],
        lambda p, doc: replenish_issue(replenish_request=doc, actor=p["keeper-off"]),
        {"issued_short": APPLICANT, "shortage_opened": MATERIAL_CONTROL},
    ),
    Event(
        "shortage fulfilled (told after the commit)",
        short_slip,
        lambda p, doc: shortage_fulfil(slip=doc, actor=p["keeper-on"]),
        {"shortage_fulfilled": APPLICANT},
        document=lambda slip: ReplenishRequest.objects.get(pk=slip.replenish_line.request_id),
    ),
    Event(
        "month confirmed",
        last_month,
        lambda p, doc: month_end_confirm(month_end=doc, actor=p["fin-on"]),
        {"month_confirmed": MONTH},
    ),
    Event(
        "month reopened",
        confirmed_month,
        lambda p, doc: month_end_reopen(month_end=doc, reason=REASON, actor=p["fin-off"]),
        {"month_reopened": MONTH},
        reason=REASON,
    ),
]


# ---------------------------------------------------------------------------- the checks


def committed(capture, act):
    """Run ``act`` and then, as its commit would, its on-commit callbacks (and theirs).
    Returns the outbox task rows it wrote, each as seen before it ran: (topic, payload)."""
    rows = OutboxEvent.objects.filter(kind=OutboxKind.TASK)
    rows = rows.filter(pk__gt=rows.order_by("-pk").values_list("pk", flat=True).first() or 0)
    tasks = {}
    with capture() as callbacks:
        act()
    while callbacks:
        for row in rows.all():
            tasks.setdefault(row.pk, (row.topic, row.payload))
        with capture() as callbacks_after:
            for callback in callbacks:
                callback()
        callbacks = callbacks_after
    assert not rows.all().exists()  # all delivered
    return list(tasks.values())


class Recorder:
    """The workflow signals sent, to send them again (a retried transaction's rerun)."""

    def __init__(self):
        self.sent = []

    def __call__(self, signal, sender, **kwargs):
        self.sent.append((signal, sender, kwargs))

    def __enter__(self):
        for signal in SIGNALS:
            signal.connect(self, weak=False, dispatch_uid=f"recorder-{id(signal)}")
        return self

    def __exit__(self, *exc):
        for signal in SIGNALS:
            signal.disconnect(dispatch_uid=f"recorder-{id(signal)}")

    def replay(self):
        for signal, sender, kwargs in self.sent:
            signal.send(sender=sender, **kwargs)


def email_ids(tasks):
    return [i for topic, payload in tasks if topic == EMAIL_TASK for i in payload["args"][0]]


@pytest.mark.parametrize("event", EVENTS, ids=[event.name for event in EVENTS])
def test_event(
    event, people, work_order, month_over, django_capture_on_commit_callbacks, mailoutbox
):
    doc = event.before(people, work_order)
    mailoutbox.clear()
    last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with Recorder() as recorder, translation.override("zh-hans"):  # the actor reads Chinese
        tasks = committed(django_capture_on_commit_callbacks, lambda: event.act(people, doc))
    new = list(Notification.objects.filter(pk__gt=last).select_related("user", "alert"))

    # Exactly the right people, once each, nobody else.
    told = Counter((n.message, n.user.username) for n in new)
    expected = {(message, name) for message, names in event.told.items() for name in names}
    assert set(told) == expected
    assert set(told.values()) == {1}

    document = event.document(type(doc).objects.get(pk=doc.pk))
    number = str(document)
    for notice in new:
        # In the reader's language: stored in the site's (for the e-mail), shown in theirs.
        with translation.override("en"):
            assert (
                notice.title == notice.shown_title == message_title(notice.message, notice.params)
            )
            assert number in notice.title + notice.body
        assert not CJK.search(notice.title + notice.body.replace(REASON, ""))
        with translation.override("zh-hans"):
            assert CJK.search(notice.shown_title) and CJK.search(notice.shown_body)
            assert number in notice.shown_title + notice.shown_body
            if event.reason:
                assert notice.shown_body.endswith(event.reason)
        # It links to its document, and the reader may open it.
        assert notice.url == URLS.get(notice.message, request_page)(document)

    readers = {n.user.username: n for n in new}
    for name, notice in readers.items():
        client = Client()
        client.force_login(notice.user)
        page = client.get(notice.url)
        assert page.status_code == 200, (name, notice.url)
        assert number in page.content.decode(), (name, notice.url)

    # E-mail: queued once through the outbox for those who want it, sent once.
    wanted = sorted(n.pk for n in new if n.user.email and not n.user.username.endswith("-off"))
    assert sorted(email_ids(tasks)) == wanted
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        Notification.objects.get(pk=pk).user.email for pk in wanted
    )
    assert all(not CJK.search(m.subject.replace(REASON, "")) for m in mailoutbox)

    # A repeat tells and mails nobody again.
    recorder.replay()
    for topic, payload in tasks:
        current_app.signature(topic, args=payload["args"], kwargs=payload["kwargs"]).apply()
    assert Notification.objects.filter(pk__gt=last).count() == len(new)
    assert len(mailoutbox) == len(wanted)


def test_every_message_has_its_event():
    """The table covers every workflow message the app can send."""
    from alerts.messages import MESSAGES

    covered = {message for event in EVENTS for message in event.told}
    assert covered == set(MESSAGES)


def test_each_reader_reads_a_reopened_month_in_their_own_language(people, month_over):
    """The reopener works in Chinese; one colleague reads the page in English, the other in
    Chinese: each sees the notice in their own language (the reason as written)."""
    month = confirmed_month(people, None)
    with translation.override("zh-hans"):
        month_end_reopen(month_end=month, reason=REASON, actor=people["fin-off"])
    pages = {}
    with translation.override("en"):  # the middleware's choice ends with this test
        for name, language in (("fin-on", "en"), ("fin-off", "zh-hans")):
            client = Client()
            client.force_login(people[name])
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            pages[name] = client.get(reverse("alerts:notifications")).content.decode()
    assert f"Month {month} reopened" in pages["fin-on"]
    assert f"fin-off reopened month {month}: {REASON}" in pages["fin-on"]
    assert f"{month} 月已重新打开" in pages["fin-off"]
    assert f"Month {month} reopened" not in pages["fin-off"]
