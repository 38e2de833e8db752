"""Handheld mode in Chromium on a phone (issue #16 item 2 and its acceptance): 390×844, touch.
The clerk switches handheld mode on (remembered), scans two labels back to back without
waiting (both land), scans a wrong label (refused with the server's message, a low beep),
and the form sent twice creates one return; the keeper's transfer refuses a wrong label and
books once when its confirmation is sent twice; the keeper receives a return and issues to
a work order, one task per screen; the camera (a stand-in BarcodeDetector) fills the scan.
Beeps and vibrations are recorded by an init script standing in for the speaker and motor."""

import pytest
from playwright.sync_api import expect

from approvals.services import approval_decide
from core.models import IdempotencyKey
from inventory.models import LedgerEntry, MovementType, StockBalance
from returns.models import ReasonCode, ReturnRequest, ReturnState, Verdict
from returns.services.return_drafting import return_create, return_submit
from returns.services.return_qc import return_qc_verdict
from tests.browser.scenario import gs1, scenario_build
from tests.browser.test_journey import Actors, chromium, shot  # noqa: F401 (fixture)
from tests.returns.builders import line, pending_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
RECORD_SIGNALS = """
window.__beeps = []; window.__vibrations = [];
const RealContext = window.AudioContext;
window.AudioContext = class extends RealContext {
  createOscillator() {
    const tone = super.createOscillator(); const start = tone.start.bind(tone);
    tone.start = (...args) => { window.__beeps.push(tone.frequency.value); return start(...args); };
    return tone;
  }
};
navigator.vibrate = (pattern) => { window.__vibrations.push(pattern); return true; };
"""
WEDGE = """(codes) => {
  const field = document.querySelector("#scan-code");
  for (const code of codes) {
    field.value = code;
    const enter = {key: "Enter", bubbles: true, cancelable: true};
    field.dispatchEvent(new KeyboardEvent("keydown", enter));
  }
}"""
# The same form sent twice at once, as a double tap or a retry does: both carry its key.
SEND_TWICE = """async ([selector, button]) => {
  const form = document.querySelector(selector);
  const send = () => {
    const data = new FormData(form);
    if (button) { data.append(button[0], button[1]); }
    return fetch(form.getAttribute("action") || location.href, {method: "POST", body: data});
  };
  const answers = await Promise.all([send(), send()]);
  return answers.map((answer) => [answer.status, answer.url]);
}"""


# Two posts at the same moment: concurrency is proved on PostgreSQL, production's database
# (the SQLite run's own case is tests/test_sqlite_writers.py).
twice_at_once = pytest.mark.postgres


@pytest.fixture
def scene(live_server, reference_data):
    return scenario_build()


@pytest.fixture
def phones(chromium, live_server):  # noqa: F811 (the imported module fixture)
    people = Actors(chromium, live_server.url, **PHONE)
    yield people
    people.close()


def handheld(phones, username):
    page = phones.page(username)
    page.context.add_init_script(RECORD_SIGNALS)
    return page


def beeps(page):
    return page.evaluate("window.__beeps")


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@twice_at_once
def test_clerk_scans_fast_is_refused_clearly_and_submits_once(phones, scene):
    clerk = handheld(phones, "clerk")
    clerk.goto(f"/requests/new/return/?work_order={scene.work_order.number}")
    toggle = clerk.get_by_role("button", name="Handheld mode")
    toggle.tap()
    expect(clerk.locator("body")).to_have_class("scan-page handheld")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    clerk.reload()  # remembered on this device
    expect(clerk.locator("body")).to_have_class("scan-page handheld")
    clerk.get_by_label("Reason").select_option(label="SUPPLIER_DEFECT · Material quality defect")

    # A keyboard-wedge scanner faster than the server: the second label and its Enter come
    # while the first is still being answered; both land (3 + 2 on one line).
    clerk.locator("#scan-code").focus()
    clerk.evaluate(WEDGE, [gs1(3), gs1(2)])
    expect(clerk.locator("input[name='form-0-quantity']")).to_have_value("5")
    expect(clerk.locator("tr[data-material=TUBE]")).to_have_count(1)
    status = clerk.get_by_test_id("scan-status")
    expect(status).to_have_attribute("data-outcome", "ok")
    expect(status).to_have_text("OK TUBE / B1: 5")
    expect(clerk.locator("#scan-code")).to_be_focused()
    assert beeps(clerk) == [1320, 1320]
    shot(clerk, "hh-01-new-return-ok-390")

    clerk.keyboard.type("NOPE-42\n")
    expect(status).to_have_attribute("data-outcome", "refused")
    expect(status).to_have_text("Refused Nothing is known by the code NOPE-42.")
    expect(clerk.locator("input[name='form-0-quantity']")).to_have_value("5")
    assert beeps(clerk)[-1] == 220 and clerk.evaluate("window.__vibrations.length") == 3
    assert fits(clerk)
    shot(clerk, "hh-02-new-return-refused-390")

    answers = clerk.evaluate(SEND_TWICE, ["#request-form", ["action", "submit"]])
    slip = ReturnRequest.objects.get()
    assert [status for status, _url in answers] == [200, 200]
    assert answers[0][1] == answers[1][1] and answers[0][1].endswith(f"/return/{slip.pk}/")
    assert slip.lines.get().quantity == 5
    assert slip.reason == ReasonCode.objects.get(code="SUPPLIER_DEFECT")
    clerk.goto(answers[1][1])
    expect(clerk.get_by_test_id("state")).to_have_text("submitted")


@twice_at_once
def test_keeper_transfer_refuses_a_wrong_label_then_books_once(phones, scene):
    keeper = handheld(phones, "keeper")
    keeper.goto("/stock/transfer/")
    keeper.get_by_role("button", name="Handheld mode").tap()
    keeper.reload()
    expect(keeper.get_by_label("From location")).to_be_focused()
    keeper.keyboard.type("LOC:WH1-A01\nL:TUBE|NOPE\nLOC:WH1-FG\n")  # Enter moves on
    keeper.get_by_label("Quantity").fill("4")
    keeper.get_by_role("button", name="Check").tap()
    status = keeper.get_by_test_id("scan-status")
    expect(status).to_have_attribute("data-outcome", "refused")
    expect(status).to_have_text("Refused Nothing is known by the code L:TUBE|NOPE.")
    expect(keeper.get_by_label("Scan the label")).to_be_focused()  # the next scan replaces it
    shot(keeper, "hh-03-transfer-refused-390")

    keeper.keyboard.type("L:TUBE|B1")
    keeper.get_by_role("button", name="Check").tap()
    expect(status).to_have_attribute("data-outcome", "ok")
    expect(status).to_contain_text("Move it?")
    assert fits(keeper)
    shot(keeper, "hh-04-transfer-confirm-390")
    answers = keeper.evaluate(SEND_TWICE, ["[data-testid=confirm-step]", ["confirmed", "1"]])
    assert [status for status, _url in answers] == [200, 200]
    moves = LedgerEntry.objects.filter(movement_type=MovementType.TRANSFER, quantity__gt=0)
    assert moves.count() == 1 and moves.get().quantity == 4
    assert StockBalance.objects.get(location__code="WH1-FG").quantity == 4
    assert IdempotencyKey.objects.filter(path="/stock/transfer/", status_code=302).count() == 1

    # The same again by tapping: a new form, a new key, a second transfer, said so.
    keeper.goto("/stock/transfer/")
    keeper.keyboard.type("LOC:WH1-A01\nL:TUBE|B1\nLOC:WH1-FG\n4\n")
    keeper.get_by_role("button", name="Check").tap()
    keeper.get_by_role("button", name="Confirm transfer").tap()
    expect(status).to_have_attribute("data-outcome", "ok")
    expect(status).to_contain_text("4 TUBE moved from WH1-A01 to WH1-FG")
    assert StockBalance.objects.get(location__code="WH1-FG").quantity == 8
    assert keeper.evaluate("document.documentElement.scrollWidth") <= 390
    shot(keeper, "hh-05-transfer-done-390")


@twice_at_once
def test_keeper_receives_and_issues_on_the_handheld(phones, scene):
    slip = inspected_return(scene)
    keeper = handheld(phones, "keeper")
    keeper.goto("/requests/receiving/")
    keeper.get_by_role("button", name="Handheld mode").tap()
    keeper.get_by_label("Scan the slip").focus()
    keeper.keyboard.type("RT-000000-0000\n")
    status = keeper.get_by_test_id("scan-status")
    expect(status).to_have_attribute("data-outcome", "refused")
    expect(status).to_contain_text("RT-000000-0000")
    keeper.get_by_label("Scan the slip").fill("")
    keeper.keyboard.type(f"{slip.number}\n")
    expect(status).to_have_attribute("data-outcome", "ok")
    expect(status).to_contain_text(slip.number)
    expect(keeper.get_by_text("Returns waiting for receipt")).to_be_hidden()  # one task
    keeper.locator("input[name='form-0-code']").focus()
    keeper.keyboard.type("L:TUBE|B1\n5\n")
    keeper.locator("input[name='form-0-location']").fill("LOC:WH1-SR")
    assert keeper.evaluate("document.documentElement.scrollWidth") <= 390
    shot(keeper, "hh-06-receiving-390")
    keeper.on("dialog", lambda dialog: dialog.accept())
    keeper.get_by_role("button", name="Receive and post").tap()
    expect(status).to_have_attribute("data-outcome", "ok")
    expect(status).to_contain_text(f"{slip.number} is posted")
    slip.refresh_from_db()
    assert slip.state == ReturnState.POSTED
    assert StockBalance.objects.get(location=scene.supplier_area).quantity == 5

    order = scene.work_order
    keeper.goto(f"/work-orders/{order.pk}/issue/")
    keeper.keyboard.type("L:TUBE|B1\n3\n")
    keeper.get_by_role("button", name="Check").tap()
    expect(status).to_have_attribute("data-outcome", "ok")
    expect(keeper.get_by_test_id("fefo")).to_be_hidden()  # one task: confirm this issue
    shot(keeper, "hh-07-issue-confirm-390")
    issued = LedgerEntry.objects.filter(movement_type=MovementType.ISSUE).count()
    answers = keeper.evaluate(SEND_TWICE, ["[data-testid=confirm-step]", ["confirmed", "1"]])
    assert [status for status, _url in answers] == [200, 200]
    assert LedgerEntry.objects.filter(movement_type=MovementType.ISSUE).count() == issued + 1


def inspected_return(scene):
    """The clerk's return of 5 TUBE, approved by the supervisor and the workshop director,
    QC's verdict given."""
    clerk, supervisor = scene.users["clerk"], scene.users["supervisor"]
    slip = return_create(
        work_order=scene.work_order,
        reason=ReasonCode.objects.get(code="SUPPLIER_DEFECT"),
        lines=[line(scene.tube, "5", lot=scene.lot, condition="defective")],
        applicant=clerk,
    )
    slip = return_submit(return_request=slip, actor=clerk)
    approval_decide(step=pending_step(slip), actor=supervisor, approve=True)
    # A defect return: the workshop director reviews it too (R-A4).
    approval_decide(step=pending_step(slip), actor=scene.users["director"], approve=True)
    verdicts = [{"line": ln, "verdict": Verdict.SUPPLIER_DEFECT} for ln in slip.lines.all()]
    return return_qc_verdict(return_request=slip, verdicts=verdicts, actor=scene.users["qc"])


def test_in_chinese_and_switched_off_on_a_tablet(chromium, live_server, scene):  # noqa: F811
    people = Actors(chromium, live_server.url, language="zh-hans", **PHONE)
    try:
        keeper = people.page("keeper")
        keeper.goto("/stock/transfer/")
        toggle = keeper.get_by_role("button", name="手持模式")
        toggle.tap()
        keeper.keyboard.type("LOC:NOWHERE\n")
        keeper.get_by_role("button", name="检查").tap()
        status = keeper.get_by_test_id("scan-status")
        expect(status).to_have_attribute("data-outcome", "refused")
        expect(status).to_contain_text("拒绝")
        expect(status).to_contain_text("LOC:NOWHERE")
        shot(keeper, "hh-08-transfer-zh-390")

        keeper.set_viewport_size({"width": 1280, "height": 800})
        keeper.get_by_role("button", name="手持模式").tap()
        expect(keeper.locator("body")).to_have_class("scan-page")
        keeper.goto("/stock/transfer/")  # (a reload would resend the form: its first answer)
        expect(keeper.locator("body")).to_have_class("scan-page")
        shot(keeper, "hh-09-transfer-zh-1280-off")
    finally:
        people.close()


# A camera that sees the code the test puts in window.__seen (no real camera in CI).
FAKE_CAMERA = """
window.BarcodeDetector = class {
  static getSupportedFormats() { return Promise.resolve(["code_128", "qr_code"]); }
  detect() { return Promise.resolve(window.__seen ? [{rawValue: window.__seen}] : []); }
};
navigator.mediaDevices.getUserMedia = () => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 64;
  canvas.getContext("2d").fillRect(0, 0, 64, 64);
  return Promise.resolve(canvas.captureStream());
};
"""


def test_the_camera_reads_a_label_into_the_scan(phones, scene):
    clerk = phones.page("clerk")
    clerk.context.add_init_script(FAKE_CAMERA)
    clerk.goto(f"/requests/new/return/?work_order={scene.work_order.number}")
    clerk.get_by_role("button", name="Scan with the camera").tap()
    expect(clerk.locator("[data-camera-dialog]")).to_be_visible()
    clerk.evaluate("(code) => { window.__seen = code; }", gs1(4))
    expect(clerk.locator("[data-camera-dialog]")).to_be_hidden()
    expect(clerk.locator("input[name='form-0-quantity']")).to_have_value("4")
    expect(clerk.get_by_test_id("scan-status")).to_have_text("OK TUBE / B1: 4")
