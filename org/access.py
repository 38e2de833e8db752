"""Who may see what: the one place pages and the API ask about roles, scope and costs.

Permissions (``user.has_perm``) say what a role may *do* (org.roles); this module says
which *objects* a user reaches: requests and work orders of their own workshops unless
their role is plant-wide (issue #7). Out-of-scope objects are filtered out of querysets,
so fetching one by id answers 404, never 403 — ids reveal nothing.

Enforcement points: the view layer (API viewsets and pages) scopes every queryset it looks
objects up in. In depth, the services where a person acts on a request
(``returns.services.common.locked``, ``approvals.services.approval_decide``) refuse, with the 404
of an unknown id, anyone who neither applied for it, works in its workshop, nor approves
for that workshop (``approvals.services.request_scope_require``; the system passes), and
a request is raised only on a work order of the applicant's workshops (``scope_require``).
Services also check duties (SoD, action permissions) with ``permission_require``.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Model, QuerySet, Value
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.api.authentication import access_cache
from org.models import Workshop
from org.roles import COST_VISIBLE, PLANT_WIDE, ROLES

NOT_ALLOWED = _("You are not allowed to %(action)s.")
OUT_OF_SCOPE = _("No such object in your workshops.")


def access_load(user: AbstractBaseUser) -> None:
    """An active user's (not a superuser's: Django grants those all) permissions and group
    names in one query, cached on the user object for the request
    (``core.api.authentication.access_cache``: ``ModelBackend``'s ``_perm_cache`` and its
    parts, the group names whence ``user_roles`` takes the roles): an API request checks its
    permission first, then its scope, which took three queries (issue #17). Loaded by
    ``org.lockout.LockoutModelBackend`` when a permission is asked for (an API token's
    request has them from its token's query already); ``user_roles`` alone still reads only
    the roles, so asking for them never caches permissions a caller did not ask for yet."""
    own = user.user_permissions.values_list(
        Value(None, output_field=CharField()), "content_type__app_label", "codename"
    ).order_by()
    rows = (
        user.groups.values_list(
            "name", "permissions__content_type__app_label", "permissions__codename"
        )
        .order_by()
        .union(own, all=True)
    )
    access_cache(user, rows)


def user_roles(user: AbstractBaseUser | AnonymousUser | None) -> frozenset[str]:
    """The role names (org.roles) of ``user``'s groups; cached on the user object."""
    if not (user and user.is_authenticated):
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None and hasattr(user, "_group_names"):  # access_cache
        cached = user._role_names = frozenset(n for n in user._group_names if n in ROLES)
    if cached is None:
        names = user.groups.filter(name__in=list(ROLES)).values_list("name", flat=True)
        cached = user._role_names = frozenset(names)
    return cached


def is_plant_wide(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    return bool(user and user.is_authenticated) and (
        user.is_superuser or bool(user_roles(user) & PLANT_WIDE)
    )


def workshops_of(user: AbstractBaseUser | AnonymousUser | None) -> QuerySet[Workshop]:
    """The workshops ``user`` works in (all of them for plant-wide roles)."""
    if is_plant_wide(user):
        return Workshop.objects.all()
    if not (user and user.is_authenticated):
        return Workshop.objects.none()
    return Workshop.objects.filter(members=user)


def scope_queryset(
    queryset: QuerySet,
    user: AbstractBaseUser | AnonymousUser | None,
    workshop_field: str = "workshop",
) -> QuerySet:
    """``queryset`` limited to rows whose ``workshop_field`` is one of ``user``'s workshops."""
    if is_plant_wide(user):
        return queryset
    if not (user and user.is_authenticated):
        return queryset.none()
    return queryset.filter(**{f"{workshop_field}__in": Workshop.objects.filter(members=user)})


def scoped(
    queryset: QuerySet,
    user: AbstractBaseUser | AnonymousUser | None,
    workshop_field: str = "workshop",
) -> QuerySet:
    """Rows of the user's workshops only, for page views; others answer 404."""
    return scope_queryset(queryset, user, workshop_field=workshop_field)


def in_scope(user: AbstractBaseUser | AnonymousUser | None, workshop_id: int | None) -> bool:
    """Whether an object of workshop ``workshop_id`` is within ``user``'s reach."""
    return is_plant_wide(user) or workshops_of(user).filter(pk=workshop_id).exists()


def scope_require(
    user: AbstractBaseUser | AnonymousUser | None, workshop_id: int | None, field: str
) -> None:
    """A referenced object outside ``user``'s workshops is a 400 on ``field`` that reads
    like an unknown one (nothing learnt by guessing)."""
    if not in_scope(user, workshop_id):
        raise ValidationError({field: OUT_OF_SCOPE})


def not_found(model: type[Model]) -> Http404:
    """What an id outside the user's reach answers: Django's own 404 for a missing ``model``
    row, word for word (``get_object_or_404``), so the two cannot be told apart."""
    return Http404(f"No {model._meta.object_name} matches the given query.")


def can_see_costs(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Standard costs and amounts are for finance and the managers (issue #7, item 6)."""
    return bool(user and user.is_authenticated) and (
        user.is_superuser or bool(user_roles(user) & COST_VISIBLE)
    )


def permission_require(
    user: AbstractBaseUser | AnonymousUser, perm: str, action: str | Promise
) -> None:
    """Raise ``PermissionDenied`` (HTTP 403) unless ``user`` holds ``perm``.

    ``action`` is a translatable verb phrase, e.g. ``_("give QC verdicts")``.
    """
    if not user.has_perm(perm):
        raise PermissionDenied(NOT_ALLOWED % {"action": action})
