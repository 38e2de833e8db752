"""Every error under /api/ is JSON in the caller's language; a 500 names its request id, and
the log line with the traceback names it too; OPTIONS answers on every route (issue #12)."""

import io
import logging

import pytest
from rest_framework.test import APIClient

from core.api.middleware import REQUEST_ID_HEADER
from tests.factories import UserFactory
from tests.security.matrix import is_api, routes, url_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def api(superuser):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(superuser)
    return client


def assert_json_error(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json", response.content[:200]
    assert response.json()["detail"]
    assert response[REQUEST_ID_HEADER]


def test_options_answers_on_every_route(api, superuser):
    page_client = APIClient(raise_request_exception=False)
    page_client.force_login(superuser)
    failed = []
    for name, (route, pattern) in sorted(routes().items()):
        client = api if is_api(route) else page_client
        response = client.options(url_for(name, pattern))
        if response.status_code >= 500 or (is_api(route) and response.status_code != 200):
            failed.append(f"{name} {route}: {response.status_code}")
    assert not failed, failed


def test_options_on_an_upsert_route_describes_its_body(api):
    response = api.options("/api/v1/materials/by-code/NEW-CODE/")
    assert response.status_code == 200
    assert "code" in response.json()["actions"]["PUT"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/no-such-thing/", "/api/nothing", "/api/v1/returns/abc/", "/api/v1/returns/99999/"],
)
def test_unknown_paths_and_bad_ids_are_json_404(api, path):
    response = api.get(path, HTTP_ACCEPT="text/html")  # a browser asks for HTML: still JSON
    assert_json_error(response, 404)


def test_json_404_in_the_callers_language(api):
    response = api.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert_json_error(response, 404)
    assert response.json() == {"detail": "未找到。"}


def test_pages_keep_html_404(client, superuser):
    client.force_login(superuser)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.urls("tests.api.boom_urls")
@pytest.mark.parametrize("path", ["/api/v1/boom/", "/api/v1/boom-plain/"])
def test_500_is_json_with_a_request_id_that_is_logged_with_the_traceback(api, path):
    console = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    log = io.StringIO()
    previous = console.setStream(log)
    try:
        response = api.get(path)
    finally:
        console.setStream(previous)
    assert_json_error(response, 500)
    body = response.json()
    request_id = response[REQUEST_ID_HEADER]
    assert body["request_id"] == request_id
    assert request_id in body["detail"]
    # The console log (settings.LOGGING) names the request on the line with the traceback.
    logged = log.getvalue()
    line = next(line for line in logged.splitlines() if f"[request {request_id}]" in line)
    assert line.startswith("ERROR django.request")
    assert "Traceback" in logged and "Boom: unhandled" in logged


@pytest.mark.urls("tests.api.boom_urls")
def test_500_detail_in_the_callers_language(api):
    response = api.get("/api/v1/boom/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert_json_error(response, 500)
    assert response.json()["detail"].startswith("发生")


@pytest.mark.urls("tests.api.boom_urls")
def test_pages_keep_the_html_500(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
