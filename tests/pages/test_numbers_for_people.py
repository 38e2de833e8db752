"""Numbers for people on every page (issue #16 acceptance): each page a role's menu leads
to, and a detail page each, in English and 简体中文, shows no decimal with more than four
fraction digits and no raw code (a state, status, movement or order band) instead of its
label. Only the text a person reads is checked, not attributes or scripts."""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.test import Client

from approvals.models import OrderBand
from tests.browser.test_narrow_pages import details, scene_build

pytestmark = pytest.mark.django_db

LONG_FRACTION = re.compile(r"\d[.,]\d{5,}")
LANGUAGES = ("en", "zh-hans")


class VisibleText(HTMLParser):
    """The text nodes of a page, outside <script> and <style>."""

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style") and self.hidden > 0

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def choice_codes() -> set[str]:
    """Every lower-case text choice value of the project's models (``in_progress``,
    ``draft``) and the order bands' codes (``le1000``)."""
    codes = {band.code for band in OrderBand.objects.all()}
    for model in apps.get_models():
        if model._meta.app_label in {"auth", "admin", "contenttypes", "sessions"}:
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "choices", None) or []:
                if isinstance(value, str) and value.islower():
                    codes.add(value)
    return codes


def raw_codes(language: str, usernames: set[str]) -> set[str]:
    """The codes a page in ``language`` must not show: in English those written like an
    identifier or a band (a one-word code reads like its English label), in Chinese every
    one. A user name that happens to be a code (``material_control``) is the user's."""
    codes = choice_codes() - usernames
    if language == "en":
        return {code for code in codes if "_" in code or any(c.isdigit() for c in code)}
    return codes


def offences(text: str, codes: set[str]) -> list[str]:
    found = [match.group() for match in LONG_FRACTION.finditer(text)]
    words = set(re.findall(r"[a-z0-9_]+", text))
    return found + sorted(words & codes)


def test_every_page_shows_numbers_and_codes_for_people(reference_data):
    scene = scene_build()
    usernames = set(scene.users)
    codes = {language: raw_codes(language, usernames) for language in LANGUAGES}
    assert {"in_progress", "le1000"} <= codes["en"] and {"draft", "receipt"} <= codes["zh-hans"]
    problems, visited = [], 0
    for role, extra in details(scene).items():
        client = Client()
        client.force_login(scene.users[role])
        menu = [item["url"] for item in client.get("/").context["nav_items"]]
        for path in [*menu, *extra]:
            for language in LANGUAGES:
                response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
                assert response.status_code == 200, (role, path, response.status_code)
                visited += 1
                text = visible_text(response.content.decode())
                found = offences(text, codes[language])
                if found:
                    problems.append(f"{role} {path} [{language}]: {', '.join(found[:5])}")
    assert visited > 80
    assert not problems, "\n".join(problems)
