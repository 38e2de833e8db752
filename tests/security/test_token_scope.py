"""API tokens are scoped by route AND method (issue #12, item 2).

Every ``/api/v1/`` route the URL resolver knows × every HTTP method, for an ERP
(integration) token and a handheld (device) token of a superuser, so that only the token's
scope can refuse: what ``route_rules.TOKEN_RULES`` allows is never refused by the scope,
everything else is 403 with the scope's JSON ``detail`` — not 2xx, not 405, not 500.
"""

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from core.api.authentication import TokenRateThrottle
from core.api.token_scope import OUT_OF_SCOPE
from core.models import TokenKind
from org.services import api_token_issue
from tests.security.matrix import is_api, methods_of, routes, url_for
from tests.security.route_rules import TOKEN_RULES

pytestmark = pytest.mark.django_db
METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


@pytest.fixture
def token_clients(admin, monkeypatch):
    """One client per token kind; ~1,400 requests must not meet the per-token throttle."""
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "100000/min"})
    clients = {}
    for kind in TokenKind.values:
        _token, raw_key = api_token_issue(name=kind, kind=kind, user=admin, actor=admin)
        clients[kind] = APIClient(
            HTTP_AUTHORIZATION=f"Token {raw_key}", raise_request_exception=False
        )
    return clients


def allowed_methods(kind, name):
    allowed = set(TOKEN_RULES[kind].get(name, ()))
    if "get" in allowed:
        allowed.add("head")
    if allowed:
        allowed.add("options")
    return allowed


def refused_by_scope(response, kind, method):
    if response.status_code != 403:
        return False
    if method == "head":  # no body to read
        return True
    return response.json().get("detail") == str(OUT_OF_SCOPE[kind])


def test_the_token_rules_name_only_real_api_routes():
    api_routes = {name for name, (route, _pattern) in routes().items() if is_api(route)}
    for kind, rules in TOKEN_RULES.items():
        assert not set(rules) - api_routes, kind


def test_the_views_declare_only_what_they_serve():
    """A misspelt action in a ``token_scope`` would silently refuse it."""
    served, declared = {}, {}
    for _name, (route, pattern) in routes().items():
        view_class = getattr(pattern.callback, "cls", None)
        if not is_api(route) or view_class is None:
            continue
        actions = getattr(pattern.callback, "actions", None) or {
            method: method for method in methods_of(pattern)
        }
        served.setdefault(view_class, set()).update(actions.values())
        scope = getattr(view_class, "token_scope", None)
        if scope is not None:
            declared[view_class] = {
                name for kind in TokenKind.values for name in scope.allowed(kind)
            }
    wrong = {view.__name__: names - served[view] for view, names in declared.items()}
    assert not {view: names for view, names in wrong.items() if names}


def test_every_api_route_and_method_for_each_token_kind(token_clients):
    wrong = []
    for name, (route, pattern) in sorted(routes().items()):
        if not is_api(route):
            continue
        url = url_for(name, pattern)
        for method in METHODS:
            for kind, client in token_clients.items():
                response = getattr(client, method)(url, {}, format="json")
                allowed = method in allowed_methods(kind, name)
                wrong_answer = refused_by_scope(response, kind, method) == allowed
                crashed = response.status_code >= 500
                if wrong_answer or crashed:
                    wrong.append(f"{kind} {method.upper()} {name} → {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_refusal_is_json_in_the_callers_language(token_clients):
    erp, device = token_clients[TokenKind.INTEGRATION], token_clients[TokenKind.DEVICE]
    refused = erp.delete("/api/v1/materials/1/")
    assert refused.status_code == 403
    assert refused.json() == {"detail": str(OUT_OF_SCOPE[TokenKind.INTEGRATION])}
    chinese = device.post("/api/v1/approvals/bulk-approve/", {}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    with translation.override("zh-hans"):
        expected = str(OUT_OF_SCOPE[TokenKind.DEVICE])
    assert chinese.status_code == 403 and chinese.json() == {"detail": expected}
    with translation.override("en"):
        assert expected != str(OUT_OF_SCOPE[TokenKind.DEVICE])  # really translated


def test_the_issues_examples_are_refused_to_the_erp(token_clients, work_order):
    """Issue #12 item 2: each of these answered 201/204 to an ERP token."""
    erp = token_clients[TokenKind.INTEGRATION]
    material_id = work_order.lines.first().material_id
    for method, url in [
        ("post", "/api/v1/returns/"),
        ("post", "/api/v1/replenishments/"),
        ("post", "/api/v1/work-orders/"),
        ("delete", f"/api/v1/materials/{material_id}/"),
        ("put", f"/api/v1/materials/{material_id}/"),
        ("post", "/api/v1/stock/receive/"),
        ("get", "/api/v1/audit-events/"),
    ]:
        response = getattr(erp, method)(url, {}, format="json")
        assert response.status_code == 403, (method, url, response.status_code)
    assert erp.get(f"/api/v1/materials/{material_id}/").status_code == 200


def test_a_handheld_reaches_its_flows_but_not_the_desk(token_clients, work_order):
    device = token_clients[TokenKind.DEVICE]
    assert device.post("/api/v1/scan/", {"code": "L:TUBE|T1"}, format="json").status_code == 200
    assert device.get(f"/api/v1/work-orders/{work_order.pk}/closeout/").status_code == 200
    for method, url in [
        ("post", f"/api/v1/work-orders/{work_order.pk}/close/"),
        ("put", "/api/v1/materials/by-code/TUBE/"),
        ("get", "/api/v1/tier-assignments/"),
        ("get", "/api/v1/audit-events/"),
        ("post", "/api/v1/exports/"),
    ]:
        response = getattr(device, method)(url, {}, format="json")
        assert response.status_code == 403, (method, url, response.status_code)
