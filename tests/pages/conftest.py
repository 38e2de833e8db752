import pytest
from django.contrib.auth.models import Group

from org.services import role_groups_sync
from tests.factories import UserFactory


@pytest.fixture
def roles(db):
    """The role groups with their permissions (org.roles)."""
    role_groups_sync()


@pytest.fixture
def role_client(roles, client):
    """``role_client("finance")`` → a test client logged in as a new user of that role."""

    def login(role, *, username=None, workshops=()):
        user = UserFactory(username=username or f"{role}-user")
        user.groups.add(Group.objects.get(name=role))
        for workshop in workshops:
            workshop.members.add(user)
        client.force_login(user)
        client.user = user
        return client

    return login
