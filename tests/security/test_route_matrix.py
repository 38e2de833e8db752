"""Every API route and page × every role and anonymous → the expected status (issue #7).

A role listed in ``route_rules.RULES`` for a method gets past the permission layer (the
objects addressed do not exist: 404, or 400 for an empty body); any other role gets 403.
A route the table does not know fails the test with its name.
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.shortcuts import resolve_url
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.security.matrix import is_api, methods_of, passes, role_names, routes, status_of, url_for
from tests.security.route_rules import PUBLIC, RULES

pytestmark = pytest.mark.django_db


def test_every_route_has_a_rule():
    missing = sorted(set(routes()) - set(RULES) - PUBLIC)
    assert not missing, f"routes without a rule in tests/security/route_rules.py: {missing}"
    stale = sorted(set(RULES) - set(routes()))
    assert not stale, f"rules for routes that no longer exist: {stale}"


def client_as(user, api):
    if api:
        client = APIClient()
        client.force_authenticate(user)
    else:
        client = Client()
        client.force_login(user)
    return client


def anonymous_refused(status, response_location, api):
    if api:
        return status == 401
    login = resolve_url(settings.LOGIN_URL)
    return status in (403, 405) or (status == 302 and response_location.startswith(login))


def test_route_role_matrix():
    clients = {}  # one logged-in client per role and kind: ~5,000 requests share them
    for role in role_names():
        user = UserFactory(username=f"matrix-{role}")
        user.groups.add(Group.objects.get(name=role))
        clients[role] = {api: client_as(user, api) for api in (True, False)}
    wrong = []
    for name, (route, pattern) in sorted(routes().items()):
        if name in PUBLIC:
            continue
        url, api = url_for(name, pattern), is_api(route)
        for method in methods_of(pattern):
            allowed = set(RULES.get(name, {}).get(method, ()))
            anonymous = getattr(APIClient() if api else Client(), method)(url)
            if not anonymous_refused(anonymous.status_code, anonymous.get("Location", ""), api):
                wrong.append(f"{method.upper()} {name} anonymous → {anonymous.status_code}")
            for role, client in clients.items():
                status = status_of(client[api], method, url, api)
                expected_pass = role in allowed
                if passes(status) != expected_pass or status >= 500:
                    wrong.append(f"{method.upper()} {name} as {role} → {status}")
    assert not wrong, "\n".join(wrong)
