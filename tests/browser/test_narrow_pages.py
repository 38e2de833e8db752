"""Every page a role's menu leads to, and one detail page each, fits a handheld (issue #16
acceptance): at 390x844 nothing scrolls sideways, and at 1280x800 neither. The links are read
from the role's own menu, so a page added to the menu is covered without editing this test.
Screenshots (390 and 1280 px) go to artifacts/screenshots/narrow-*.png."""

from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from approvals.services import approval_decide
from finance.month_end import month_end_compute
from org.services import user_ensure
from returns.models import Verdict
from returns.services.replenish import replenish_submit
from returns.services.return_drafting import return_submit
from returns.services.return_qc import return_qc_verdict
from tests.browser.scenario import PASSWORD, scenario_build
from tests.browser.test_journey import Actors, chromium, shot  # noqa: F401 (fixture)
from tests.factories import SupplierFactory
from tests.pages.test_list_pages import shortages_of
from tests.returns.builders import (
    draft_return,
    line,
    pending_step,
    posted_return,
    replenishment,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1280, "height": 800}
# Roles beyond the journey's actors (scenario.ACTORS): username = role.
EXTRA_ROLES = ["material_control", "auditor"]


def reviewed_return(scene, quantity):
    """A return the supervisor reviewed and QC passed: it waits at receiving."""
    users = scene.users
    slip = draft_return(
        scene.work_order, users["clerk"], [line(scene.tube, quantity, lot=scene.lot)]
    )
    slip = return_submit(return_request=slip, actor=users["clerk"])
    approval_decide(step=pending_step(slip), actor=users["supervisor"], approve=True)
    verdicts = [{"line": ln, "verdict": Verdict.GOOD} for ln in slip.lines.all()]
    return return_qc_verdict(return_request=slip, verdicts=verdicts, actor=users["qc"])


@pytest.fixture
def scene(live_server, reference_data):
    return scene_build()


def scene_build():
    """Something on every list: a posted return (the month-end has lines), one waiting at
    receiving, one waiting for review, a replenishment in the inbox, open shortage slips."""
    scene = scenario_build()
    users = scene.users
    for role in EXTRA_ROLES:
        users[role] = user_ensure(username=role, role=role, password=PASSWORD)
    posted = posted_return(
        scene.work_order,
        [line(scene.tube, 4, lot=scene.lot)],
        applicant=users["clerk"],
        qc=users["qc"],
        keeper=users["keeper"],
        verdict=Verdict.GOOD,
        code="LEFTOVER",
    )
    scene.receivable = reviewed_return(scene, 3)
    waiting = draft_return(scene.work_order, users["clerk"], [line(scene.tube, 2, lot=scene.lot)])
    scene.waiting = return_submit(return_request=waiting, actor=users["clerk"])
    asked = replenishment(scene.work_order, users["clerk"], [line(scene.tube, Decimal(12))])
    scene.replenishment = replenish_submit(replenish_request=asked, actor=users["clerk"])
    shortages_of(scene.work_order, scene.tube, 2)
    scene.supplier = SupplierFactory(
        code="SUP-NARROW", name="Zhejiang Longname Hardware Trading Co. Ltd."
    )
    scene.month_end = month_end_compute(month=timezone.localdate(posted.posted_at).replace(day=1))
    return scene


def details(scene):
    """One detail page (or more) per role beside what its menu shows; the new return with its
    work order given, as the work order's page links to it."""
    order = reverse("workorders:detail", args=[scene.work_order.pk])
    return_detail = reverse("returns:request_detail", args=["return", scene.waiting.pk])
    replenish_detail = reverse("returns:request_detail", args=["replenish", scene.replenishment.pk])
    return {
        "clerk": [
            return_detail,
            order,
            f"{reverse('returns:new_return')}?work_order={scene.work_order.number}",
        ],
        "supervisor": [replenish_detail, order],
        "director": [replenish_detail],
        "qc": [
            reverse("returns:qc_verdict", args=[scene.waiting.pk]),
            return_detail,
            reverse("reports:supplier_quality_detail", args=[scene.supplier.code]),
        ],
        "keeper": [
            f"{reverse('returns:receiving')}?slip={scene.receivable.number}",
            reverse("workorders:issue", args=[scene.work_order.pk]),
        ],
        "material_control": [replenish_detail],
        "finance": [reverse("finance:month_end_detail", args=[scene.month_end.month])],
        "auditor": [
            reverse("reports:trace_work_order_lots", args=[scene.work_order.pk]),
            order,
        ],
    }


# Pages whose content depends on the role: a screenshot for each.
PER_ROLE = {"/", "/approvals/"}
# Pages a scanner fills: the cursor waits in the first empty text field, on the first screen.
SCANNING = [
    "/requests/new/return/",
    "/requests/new/replenish/",
    "/requests/receiving/",
    "/stock/receive/",
    "/stock/transfer/",
    "/stock/adjust/",
    "/issue/",
]
FOCUS = """() => {
  const first = [...document.querySelectorAll("main input[type=text]")]
    .find(input => !input.value && input.offsetParent);
  const focused = document.activeElement;
  if (!first) return "no empty text field";
  if (focused !== first) return `${focused.name || focused.tagName} is focused, not ${first.name}`;
  const below = first.getBoundingClientRect().bottom > window.innerHeight;
  return below ? `${first.name} is below the first screen` : null;
}"""


# The page's width beyond the viewport, and the element reaching furthest right (to say
# what to fix).
OVERFLOW = """() => {
  const width = document.documentElement.scrollWidth, inner = window.innerWidth;
  if (width <= inner) return null;
  let widest = null, right = 0;
  for (const el of document.querySelectorAll("main *, header *")) {
    const r = el.getBoundingClientRect().right;
    if (r > right) { right = r; widest = el; }
  }
  const name = widest ? widest.tagName.toLowerCase() + (widest.className ? "." +
    String(widest.className).trim().replace(/\\s+/g, ".") : "") : "?";
  return `${width} px (${name} reaches ${Math.round(right)} px)`;
}"""


def overflow(page):
    """None when the page fits the viewport, else how wide it is and why."""
    return page.evaluate(OVERFLOW)


# Controls a finger presses, shorter than 44 px (text links inside sentences are exempt).
SMALL = """() => [...document.querySelectorAll(`header :is(button, select),
    main :is(button, select, summary, .button, .pagination a, .actions a,
             input:not([type=hidden], [type=checkbox], [type=radio]))`)]
  .filter(el => el.offsetParent && el.getBoundingClientRect().height < 44)
  .map(el => `${el.tagName.toLowerCase()} "${(el.textContent || el.name || "").trim()}"`
    + ` ${Math.round(el.getBoundingClientRect().height)} px`)"""
PRINTED = """() => Object.fromEntries(["table", "thead", "td"].map(
  tag => [tag, getComputedStyle(document.querySelector(`main ${tag}`)).display]))"""


def slug(path):
    return path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "home"


def phone_page(actors, user):
    """A phone-sized browser context signed in as ``user`` by a session made on the server
    (the login form has its own tests; here it would cost two pages per role)."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = actors.chromium.new_context(viewport=PHONE, base_url=actors.base_url)
    actors.contexts.append(context)
    host = urlsplit(actors.base_url).hostname
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/")
    return page


def test_every_menu_page_fits_a_handheld(actors, scene):
    """At 390 px the menu opens behind one button; no page scrolls sideways at 390 or 1280;
    every control is at least 44 px high; on the scanning pages the scan field waits,
    focused."""
    offenders, visited, seen = [], [], set()
    for role, extra in details(scene).items():
        page = phone_page(actors, scene.users[role])
        menu = page.locator(".site-nav a")
        expect(menu.first).to_be_hidden()
        header = page.locator(".site-header").bounding_box()["height"]
        assert header <= 64, f"{role}: the header takes {header} px"
        page.locator("[data-menu-toggle]").click()
        expect(menu.first).to_be_visible()
        shot(page, f"narrow-{role}-menu-390")
        paths = menu.evaluate_all("links => links.map(a => a.pathname)")
        for path in [*paths, *extra]:
            response = page.goto(path)
            assert response.ok, f"{role} {path}: {response.status}"
            visited.append((role, path))
            if wider := overflow(page):
                offenders.append(f"{role} {path} at 390: {wider}")
            if small := page.evaluate(SMALL):
                offenders.append(f"{role} {path}: small targets {', '.join(small)}")
            if any(part in path for part in SCANNING) and (unfocused := page.evaluate(FOCUS)):
                offenders.append(f"{role} {path}: {unfocused}")
            # With the menu folded away most pages look alike for every role.
            name = f"{role}-{slug(path)}" if path in PER_ROLE else slug(path)
            if name in seen:
                continue
            seen.add(name)
            shot(page, f"narrow-{name}-390")
            page.set_viewport_size(TABLET)
            if wider := overflow(page):
                offenders.append(f"{role} {path} at 1280: {wider}")
            shot(page, f"narrow-{name}-1280")
            page.set_viewport_size(PHONE)
    assert not offenders, "On a handheld:\n" + "\n".join(offenders)
    # Printed, even from a handheld, a table stays a table with its header row.
    page.goto(reverse("returns:return_list"))
    page.emulate_media(media="print")
    shapes = page.evaluate(PRINTED)
    assert shapes == {"table": "table", "thead": "table-header-group", "td": "table-cell"}
    assert {role for role, _path in visited} == set(details(scene))
    assert len(visited) >= 8 * 6


@pytest.fixture
def actors(chromium, live_server):  # noqa: F811 (the imported module fixture)
    people = Actors(chromium, live_server.url)
    yield people
    people.close()
