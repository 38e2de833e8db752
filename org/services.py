"""Audited services for people and their credentials: users, role groups, API tokens and
workshop membership (org.roles says what a role may do, org.access what a user reaches)."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.utils import timezone

from audit.services import audit_record
from core.api.authentication import api_key_hash
from core.models import ApiToken
from core.transactions import atomic_service
from org.models import Workshop
from org.roles import groups_apply


@atomic_service
def role_groups_sync(*, actor: AbstractBaseUser | None = None) -> None:
    """Create or update one group per role with exactly its permissions (idempotent)."""
    changed = groups_apply(group_model=Group, permission_model=Permission)
    if changed:
        audit_record(
            actor=actor, action="roles.sync", object_type="auth.group", object_id="*", after=changed
        )


@atomic_service
def user_ensure(
    *,
    username: str,
    role: str,
    password: str | None,
    actor: AbstractBaseUser | None = None,
    is_superuser: bool = False,
) -> AbstractBaseUser:
    """Create a user in a role group, or leave an existing one as it is."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user:
        return user
    user = user_model.objects.create_user(
        username=username, password=password, is_staff=is_superuser, is_superuser=is_superuser
    )
    user.groups.add(Group.objects.get(name=role))
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        after={"username": username, "role": role, "superuser": is_superuser},
    )
    return user


@atomic_service
def api_token_issue(
    *,
    name: str,
    kind: str,
    user: AbstractBaseUser,
    actor: AbstractBaseUser | None,
    device_id: str = "",
) -> tuple[ApiToken, str]:
    """A new token; the raw key is returned once and never stored (only its SHA-256)."""
    prefix = secrets.token_hex(4)
    raw_key = f"{prefix}.{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        name=name,
        kind=kind,
        user=user,
        device_id=device_id,
        prefix=prefix,
        key_hash=api_key_hash(raw_key),
    )
    audit_record(
        actor=actor,
        action="api_token.issue",
        obj=token,
        after={"name": name, "kind": kind, "user": user.username, "prefix": prefix},
    )
    return token, raw_key


@atomic_service
def api_token_revoke(*, token: ApiToken, actor: AbstractBaseUser | None) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="api_token.revoke",
            obj=token,
            after={"revoked_at": token.revoked_at},
        )
    return token


@atomic_service
def workshop_member_add(
    *,
    workshop: Workshop,
    user: AbstractBaseUser,
    actor: AbstractBaseUser | None = None,
    device: str = "",
) -> None:
    """Let ``user`` see and act on ``workshop``'s requests and work orders (org.access)."""
    if workshop.members.filter(pk=user.pk).exists():
        return
    workshop.members.add(user)
    audit_record(
        actor=actor,
        device=device,
        action="workshop.member_add",
        obj=workshop,
        after={"member": user.username},
    )
