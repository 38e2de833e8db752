"""The whole journey in Chromium against a live server (issue #6 acceptance): the clerk scans
and submits a return and a one-for-one replenishment citing it, supervisors approve in the
inbox, QC gives a verdict, the keeper receives by scanning, stock and ledger change; the
supervisor reports the output and completes the work order, the keeper receives the
finished goods, each department signs off on the work-order page and the work order closes
after its checklist; finance downloads the month-end workbook; then the key pages in
Simplified Chinese. Screenshots go to artifacts/screenshots/ (git-ignored)."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect, sync_playwright

from inventory.models import LedgerEntry, StockBalance
from returns.models import ReplenishRequest, ReplenishState, ReturnRequest, ReturnState
from tests.browser.scenario import PASSWORD, gs1, scenario_build
from tests.conftest import CHROMIUM
from workorders.models import WorkOrderStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = settings.BASE_DIR / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}  # the line's tablets


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def scene(live_server, reference_data):
    return scenario_build()


class Actors:
    """One browser context (own cookies) per person, logged in through the login page."""

    def __init__(self, chromium, base_url, language="en", **device):
        """``device``: Playwright's context options (e.g. a phone's viewport and touch)."""
        self.chromium, self.base_url, self.language = chromium, base_url, language
        self.device = {"viewport": VIEWPORT, **device}
        self.contexts = []

    def page(self, username):
        context = self.chromium.new_context(
            **self.device, base_url=self.base_url, accept_downloads=True
        )
        host = self.base_url.split("//")[1].split(":")[0]
        context.add_cookies(
            [
                {
                    "name": settings.LANGUAGE_COOKIE_NAME,
                    "value": self.language,
                    "domain": host,
                    "path": "/",
                }
            ]
        )
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/accounts/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main button[type=submit]").click()
        expect(page.get_by_test_id("current-user")).to_have_text(username)
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def actors(chromium, live_server):
    people = Actors(chromium, live_server.url)
    yield people
    people.close()


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def accept_dialogs(page):
    """Agree to the confirmation an irreversible action asks (core/confirm.py); the list
    collects what was asked."""
    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return asked


def scan(page, code):
    """A keyboard-wedge scanner: the code typed into the focused scan field, then Enter."""
    field = page.locator("#scan-code")
    field.fill(code)
    with page.expect_response(lambda r: r.request.method == "POST"):
        field.press("Enter")
    # The step's outcome is on the page (the lines swapped and settled) before the test
    # reads it; quick scans without waiting are test_handheld's fast-scanner case.
    busy = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"
    page.wait_for_function(f"() => !document.querySelector('{busy}')")


def approve_everything(page, slip_number):
    """Tick every step of the slip in the inbox and bulk-approve until none is left."""
    page.goto("/approvals/")
    while page.locator("article[data-step]", has_text=slip_number).count():
        for article in page.locator("article[data-step]", has_text=slip_number).all():
            article.locator("input[name=steps]").check()
        page.get_by_role("button", name="Approve the ticked steps").click()
        expect(page.locator(".message.success")).to_be_visible()


def test_journey_from_scan_to_month_end(actors, scene, tmp_path):
    work_order = scene.work_order

    # The clerk scans a supplier's GS1 label twice (3 + 2) and submits the return.
    clerk = actors.page("clerk")
    clerk.goto(f"/requests/new/return/?work_order={work_order.number}")
    clerk.get_by_label("Reason").select_option(label="SUPPLIER_DEFECT · Material quality defect")
    scan(clerk, gs1(3))
    expect(clerk.locator("tr[data-material=TUBE]")).to_have_count(1)
    scan(clerk, gs1(2))
    expect(clerk.locator("input[name='form-0-quantity']")).to_have_value("5")
    clerk.locator("select[name='form-0-condition']").select_option("defective")
    shot(clerk, "01-clerk-new-return")
    clerk.get_by_role("button", name="Submit", exact=True).click()
    expect(clerk.get_by_test_id("state")).to_have_text("submitted")
    slip = ReturnRequest.objects.get()
    shot(clerk, "02-clerk-return-detail")

    # The workshop's supervisor approves it in the inbox.
    supervisor = actors.page("supervisor")
    supervisor.goto("/approvals/")
    card = supervisor.locator("article[data-step]", has_text=slip.number)
    expect(card).to_contain_text("TUBE")
    shot(supervisor, "03-supervisor-inbox")
    card.get_by_label("Comment").fill("Cracked tubes, agreed")
    card.get_by_role("button", name="Approve", exact=True).click()
    expect(supervisor.locator(".message.success")).to_contain_text(slip.number)
    # A defect return is reviewed by the workshop director too (R-A4, seed 002 §3.2.2.2).
    approve_everything(actors.page("director"), slip.number)

    # QC: supplier defect.
    qc = actors.page("qc")
    qc.goto("/requests/qc/")
    qc.get_by_role("link", name=slip.number).click()
    qc.get_by_label(re.compile("supplier defect")).check()
    shot(qc, "04-qc-verdict")
    qc.get_by_role("button", name="Record the verdict").click()
    expect(qc.locator(".message.success")).to_be_visible()

    # The keeper scans the slip, then the line's label, counts and scans the location.
    keeper = actors.page("keeper")
    ledger_before = LedgerEntry.objects.count()
    keeper.goto("/requests/receiving/")
    keeper.get_by_label("Scan the slip").fill(slip.number)
    keeper.get_by_label("Scan the slip").press("Enter")
    keeper.locator("input[name='form-0-code']").fill("L:TUBE|B1")
    keeper.keyboard.press("Enter")  # the scanner's Enter moves on to the count
    keeper.keyboard.type("5")
    keeper.locator("input[name='form-0-location']").fill("LOC:WH1-SR")
    shot(keeper, "05-keeper-receiving")
    asked = accept_dialogs(keeper)
    keeper.get_by_role("button", name="Receive and post").click()
    expect(keeper.locator(".message.success")).to_contain_text(slip.number)
    assert asked == [
        f"Receive {slip.number} and post it to the stock ledger? This cannot be undone."
    ]
    slip.refresh_from_db()
    assert slip.state == ReturnState.POSTED
    assert LedgerEntry.objects.count() == ledger_before + 1
    assert StockBalance.objects.get(location=scene.supplier_area).quantity == Decimal(5)

    # One-for-one: scanning the material fills the line from the defective return line.
    clerk.goto("/requests/new/replenish/")
    clerk.get_by_label("Work order").fill(work_order.number)
    clerk.get_by_label("Reason").select_option(label="MATERIAL_DEFECT · Material defect")
    scan(clerk, "M:TUBE")
    expect(clerk.locator("input[name='form-0-quantity']")).to_have_value(re.compile(r"^5"))
    expect(clerk.locator("#preview .badge").first).to_be_visible()
    expect(clerk.locator("#preview")).to_contain_text("material control")
    shot(clerk, "06-clerk-new-replenishment")
    clerk.get_by_role("button", name="Submit", exact=True).click()
    expect(clerk.get_by_test_id("state")).to_have_text("awaiting approval")
    replenishment = ReplenishRequest.objects.get()

    # The director holds every tier of the chain: bulk approval until the inbox is empty.
    director = actors.page("director")
    approve_everything(director, replenishment.number)
    replenishment.refresh_from_db()
    assert replenishment.state == ReplenishState.APPROVED

    keeper.goto("/requests/receiving/")
    keeper.locator("li", has_text=replenishment.number).get_by_role("button", name="Issue").click()
    expect(keeper.locator(".message.success")).to_contain_text(replenishment.number)
    replenishment.refresh_from_db()
    assert replenishment.state == ReplenishState.ISSUED
    assert StockBalance.objects.get(location=scene.shelf, lot=scene.lot).quantity == Decimal(295)

    # The supervisor reports the output and completes the work order on its page.
    work_order_url = f"/work-orders/{work_order.pk}/"
    supervisor.goto(work_order_url)
    supervisor.get_by_label("Good quantity").fill("100")
    shot(supervisor, "07a-supervisor-report-output")
    supervisor.get_by_role("button", name="Report output").click()
    expect(supervisor.locator(".message.success")).to_contain_text("100 good, 0 scrap")
    supervisor.get_by_test_id("complete-work-order").click()
    expect(supervisor.get_by_test_id("wo-status")).to_have_text("completed")
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.COMPLETED

    # The keeper scans the finished-goods location; the outstanding output is proposed.
    keeper.goto(work_order_url)
    expect(keeper.get_by_label("Quantity", exact=True)).to_have_value("100")
    keeper.get_by_label("Location", exact=True).fill("LOC:WH1-FG")
    shot(keeper, "07b-keeper-receive-finished-goods")
    keeper.get_by_role("button", name="Receive into the location").click()
    expect(keeper.locator(".message.success")).to_contain_text("received into WH1-FG")
    fg = StockBalance.objects.get(location__code="WH1-FG")
    assert (fg.material, fg.quantity) == (work_order.product, Decimal(100))

    # Each department signs for itself on the page.
    finance = actors.page("finance")
    signers = [(keeper, "warehouse"), (qc, "QC"), (finance, "finance"), (supervisor, "production")]
    for page, department in signers:
        page.goto(work_order_url)
        page.get_by_role("button", name=f"Sign off for {department}").click()
        expect(page.locator(".message.success")).to_contain_text(f"Signed off for {department}.")
    assert set(work_order.sign_offs.values_list("role", "signed_by__username")) == {
        ("warehouse", "keeper"),
        ("qc", "qc"),
        ("finance", "finance"),
        ("production", "supervisor"),
    }
    shot(supervisor, "07-work-order")
    asked = accept_dialogs(supervisor)
    supervisor.get_by_test_id("close-work-order").click()
    expect(supervisor.locator(".message.success")).to_contain_text(work_order.number)
    assert asked == [f"Close work order {work_order.number}? This cannot be undone."]
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.CLOSED

    # Finance computes this month and opens the downloaded workbook.
    finance.goto("/finance/month-end/")
    finance.locator("input[name=month]").fill(f"{timezone.localdate():%Y-%m}")
    finance.get_by_role("button", name="Compute or recompute").click()
    shot(finance, "08-finance-month-end")
    with finance.expect_download() as download:
        finance.get_by_test_id("download-workbook").click()
    path = tmp_path / "month-end.xlsx"
    download.value.save_as(path)
    workbook = load_workbook(path, read_only=True)
    cells = [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    # the return and the replenishment of this month, their reasons by name (issue #16)
    assert {"Material quality defect", "Material defect", "TUBE", "W1"} <= set(cells)


# The key pages of the journey and their main heading's English source text.
KEY_PAGES = [
    ("clerk", "/requests/new/return/", "New return"),
    ("clerk", "/requests/new/replenish/", "New replenishment"),
    ("clerk", "/requests/mine/", "My requests"),
    ("supervisor", "/approvals/", "Approval inbox"),
    ("qc", "/requests/qc/", "QC verdicts"),
    ("keeper", "/requests/receiving/", "Receiving"),
    ("keeper", "/requests/shortages/", "Shortage slips"),
    ("keeper", "/print/labels/new/", "Print labels"),
    ("keeper", "/approvals/notifications/", "Notifications"),
]
# Shell and form texts every one of those pages relies on.
KEY_STRINGS = [
    "Material returns",
    "Log out",
    "Log in",
    "Home",
    "New return",
    "New replenishment",
    "My requests",
    "Approvals",
    "Receiving",
    "Shortages",
    "Labels",
    "Notifications",
    "Work order",
    "Reason",
    "Explanation",
    "Lines",
    "Quantity",
    "Condition",
    "Submit",
    "Save as draft",
    "Approval chain",
    "Scan a label (material, lot, serial or GS1)",
    "Scan or type the code and press Enter.",
    "Approve",
    "Reject",
    "Comment",
    "Approve the ticked steps",
    "Record the verdict",
    "Scan the slip",
    "Receive and post",
    "Counted",
    "Foreign material",
    "Location",
    "Print the slip",
]
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_key_pages_in_simplified_chinese(chromium, live_server, scene):
    """R-U3: with the language cookie set to zh-hans every key page's heading is Chinese,
    and the shell and form texts of the journey have Chinese translations."""
    from django.utils import translation

    with translation.override("zh-hans"):
        untranslated = [text for text in KEY_STRINGS if translation.gettext(text) == text]
        headings = {url: translation.gettext(text) for _actor, url, text in KEY_PAGES}
    people = Actors(chromium, live_server.url, language="zh-hans")
    try:
        pages = {}
        for index, (actor, url, _text) in enumerate(KEY_PAGES, start=1):
            page = pages.get(actor) or pages.setdefault(actor, people.page(actor))
            page.goto(url)
            expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
            heading = page.locator("main h1").inner_text()
            assert heading.startswith(headings[url]), url
            if not CJK.search(heading):
                untranslated.append(heading)
            shot(page, f"zh-hans-{index:02d}-{url.strip('/').replace('/', '-')}")
    finally:
        people.close()
    assert untranslated == [], f"missing zh-hans translations: {untranslated}"
