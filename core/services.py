import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from audit.services import audit_record
from core.models import ApiToken, DocumentSequence
from core.roles import groups_apply
from core.transactions import atomic_service


@atomic_service
def document_number_next(*, prefix, when=None):
    """Next gap-free number such as ``RT-202611-0001``.

    The sequence row stays locked until the caller's transaction ends, so a rolled-back
    document gives its number back and two concurrent callers never share one.
    """
    period = timezone.localtime(when or timezone.now()).strftime("%Y%m")
    DocumentSequence.objects.bulk_create(
        [DocumentSequence(prefix=prefix, period=period)], ignore_conflicts=True
    )
    sequence = DocumentSequence.objects.select_for_update().get(prefix=prefix, period=period)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{prefix}-{period}-{sequence.last_number:04d}"


def model_snapshot(instance):
    """Field values of a master record for the audit trail's before/after."""
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@atomic_service
def master_record_save(*, instance, actor, device=""):
    """Create or change a master-data record and audit it with before/after values (R-U1).

    Saving an unchanged record writes nothing, so an ERP may send the same data again.
    """
    model = type(instance)
    before = None
    if instance.pk is not None:
        current = model.objects.select_for_update().filter(pk=instance.pk).first()
        before = model_snapshot(current) if current else None
        if before == model_snapshot(instance):
            return instance
    instance.full_clean()
    instance.save()
    action = f"{model._meta.model_name}.{'change' if before else 'create'}"
    audit_record(
        actor=actor,
        device=device,
        action=action,
        obj=instance,
        before=before,
        after=model_snapshot(instance),
    )
    return instance


@atomic_service
def master_record_delete(*, instance, actor, device=""):
    """Delete a master-data record (PROTECT keeps referenced ones) and audit it."""
    before, pk = model_snapshot(instance), instance.pk
    instance.delete()
    audit_record(
        actor=actor,
        device=device,
        action=f"{instance._meta.model_name}.delete",
        obj=instance,
        object_id=pk,
        before=before,
    )


@atomic_service
def role_groups_sync(*, actor=None):
    """Create or update one group per role with exactly its permissions (idempotent)."""
    changed = groups_apply(group_model=Group, permission_model=Permission)
    if changed:
        audit_record(
            actor=actor, action="roles.sync", object_type="auth.group", object_id="*", after=changed
        )


@atomic_service
def user_ensure(*, username, role, password, actor=None, is_superuser=False):
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
def api_token_issue(*, name, kind, user, actor, device_id=""):
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


def api_key_hash(raw_key):
    return hashlib.sha256(raw_key.encode()).hexdigest()


@atomic_service
def api_token_revoke(*, token, actor):
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
def workshop_member_add(*, workshop, user, actor=None, device=""):
    """Let ``user`` see and act on ``workshop``'s requests and work orders (core.access)."""
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
