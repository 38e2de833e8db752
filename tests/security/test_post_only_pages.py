"""The pages that only take a POST (the buttons) × every role (issue #7 acceptance).

``test_route_matrix`` GETs every page; a POST-only page answers that GET with 405 whoever
asks, so the matrix cannot see who may press the button. Here each such page is POSTed
(an empty form, objects that do not exist) as every role: the roles in
``route_rules.POST_RULES`` get past the permission check (404, 400, 302…), every other role
gets 403.
"""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tests.factories import UserFactory
from tests.security.matrix import is_api, passes, role_names, routes, url_for
from tests.security.route_rules import POST_RULES, PUBLIC

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def post_only_pages():
    """``{name: url}`` of the pages that refuse a superuser's GET with 405."""
    admin = logged_in(UserFactory(username="post-only-admin", is_superuser=True))
    pages = {}
    for name, (route, pattern) in routes().items():
        if is_api(route) or name in PUBLIC:
            continue
        url = url_for(name, pattern)
        if admin.get(url).status_code == 405:
            pages[name] = url
    return pages


def test_every_post_only_page_has_a_rule():
    pages = set(post_only_pages())
    assert sorted(pages - set(POST_RULES)) == [], "POST-only pages without a rule here"
    assert sorted(set(POST_RULES) - pages) == [], "rules for pages that are not POST-only"


def test_post_only_page_role_matrix():
    clients = {}
    for role in role_names():
        user = UserFactory(username=f"post-only-{role}")
        user.groups.add(Group.objects.get(name=role))
        clients[role] = logged_in(user)
    wrong = []
    for name, url in sorted(post_only_pages().items()):
        allowed = POST_RULES.get(name, ())
        for role, client in clients.items():
            status = client.post(url).status_code
            if passes(status) != (role in allowed) or status >= 500:
                wrong.append(f"POST {name} as {role} → {status}")
    assert not wrong, "\n".join(wrong)
