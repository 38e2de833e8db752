"""The route × role matrix (issue #7 acceptance): every URL pattern of the API and the pages,
requested as every role and as an anonymous visitor, against ``route_rules``.

Objects are addressed by ids and codes that do not exist, so a role that passes the
permission layer gets 404 (or 400 for an empty body) and one that does not gets 403:
which roles pass is exactly what the rules table states, with no data to build.
"""

from datetime import date

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from org.roles import ROLES

EXCLUDED_PREFIXES = ("admin/", "i18n/", "static/", "media/", "api/schema/", "api/docs/")
EXCLUDED_NAMES = {"api-root"}
# Values for the URL parameters: none of them names an existing object.
MISSING = {
    "pk": "999999999",
    "code": "NO-SUCH-CODE",
    "number": "NO-SUCH-NUMBER",
    "version": "999",
    "slug": "no-such",
    "id": "999999999",
    "kind": "return",
    "action": "submit",
    "decision": "approve",
    "fmt": "svg",
    "month": date(2001, 1, 1),
}
WRITE_METHODS = ("post", "put", "patch", "delete")


def walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield prefix + str(pattern.pattern), name, pattern


def routes():
    """``{name: (route, pattern)}`` of every API route and page the matrix covers."""
    found = {}
    for route, name, pattern in walk(get_resolver().url_patterns):
        plain = route.replace("^", "")
        if plain.startswith(EXCLUDED_PREFIXES) or name in EXCLUDED_NAMES or "format" in route:
            continue
        found.setdefault(name, (plain, pattern))
    return found


def is_api(route):
    return route.startswith("api/")


def methods_of(pattern):
    """HTTP methods the route serves: a viewset's action map, else GET (pages)."""
    actions = getattr(pattern.callback, "actions", None)
    if actions:  # HEAD and OPTIONS follow GET's permissions
        return sorted(set(actions) - {"head", "options"})
    view_class = getattr(pattern.callback, "cls", None) or getattr(
        pattern.callback, "view_class", None
    )
    if view_class is not None and getattr(view_class, "http_method_names", None):
        served = [m for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)]
        return served or ["get"]
    return ["get"]


def url_for(name, pattern):
    params = set(pattern.pattern.regex.groupindex)
    return reverse(name, kwargs={param: MISSING.get(param, "999999999") for param in params})


def role_names():
    return list(ROLES)


def status_of(client, method, url, api):
    if api:
        return getattr(client, method)(url, {}, format="json").status_code
    return getattr(client, method)(url).status_code


def passes(status):
    """Past the permission layer: anything but 401/403 (404, 400, 405, 200, 302…)."""
    return status not in (401, 403)
