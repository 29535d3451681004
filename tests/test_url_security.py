"""Walk every URL the project routes and prove none answers an anonymous request with data."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Reviewed: the only routes an anonymous visitor may open.
ALLOWED_ANONYMOUS = {
    "accounts:login",  # the sign-in page
    "core:healthz",  # status of database, broker and heartbeat: no personal data
    # Rights requests from the public: forms that show nobody's records, their thank-you pages
    # (only the visitor's own new reference, from their session), and the requester's secure
    # download (404 for an unknown, expired or revoked token; the file only on POST).
    "access_requests:public-ask",
    "access_requests:public-ask-done",
    "access_requests:public-complaint",
    "access_requests:public-complaint-done",
    "access_requests:public-download",
    # A partner agency's recipient downloads a sharing package: 404 for an unknown, used,
    # expired or revoked token; the page names the sharing's reference, not whose it is; the
    # file only on POST, once.
    "sharing:package-public",
}
# The admin's own sign-in hands over to accounts:login (a redirect, not a page).
ADMIN_LOGIN = "admin:login"

SAMPLE_VALUES = {
    "int": "1",
    "str": "sample",
    "slug": "sample",
    "uuid": "5b0c2d4e-0000-4000-8000-000000000001",
    "path": "sample/path",
}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield prefix + str(entry.pattern), name


def _concrete(route: str) -> str | None:
    """Turn a route pattern into a path with sample values, or None if it cannot be built."""
    path = route
    for converter, value in SAMPLE_VALUES.items():
        path = re.sub(rf"<{converter}:\w+>", value, path)
    path = re.sub(r"<\w+>", "sample", path)
    if path.startswith("^") or "(?P" in path or "\\" in path:
        # Regex routes (the admin's): strip anchors and fill groups with a sample value.
        path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
        path = path.replace("^", "").replace("$", "").replace("\\", "")
        if re.search(r"[()\[\]*+?|]", path):
            return None
    return "/" + path


ROUTES = sorted(
    {
        (path, name)
        for route, name in _walk(get_resolver().url_patterns)
        if (path := _concrete(route)) is not None
    },
    key=lambda item: item[0],
)


def test_the_walk_finds_the_routes() -> None:
    names = {name for _, name in ROUTES}
    assert {"core:start", "accounts:login", "accounts-api:me", "admin:index"} <= names
    assert len(ROUTES) > 30


@pytest.mark.parametrize(("path", "name"), ROUTES, ids=[p for p, _ in ROUTES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_request_gets_no_data(client, path: str, name: str | None, method: str) -> None:
    response = getattr(client, method)(path)
    status = response.status_code
    if name in ALLOWED_ANONYMOUS:
        return
    if path.startswith("/api/"):
        if name == "accounts-api:token" and method == "post":
            # The API's sign-in: asks for credentials (JSON only), shows nothing.
            assert status in (400, 415)
            return
        assert status in (401, 403, 404, 405), f"{path} answered {status} to an anonymous {method}"
        return
    if status in (301, 302):
        location = response["Location"]
        assert location.startswith(("/accounts/sign-in/", "/admin/login/")), (
            f"{path} redirected an anonymous visitor to {location}"
        )
        return
    assert status in (403, 404, 405), f"{path} answered {status} to an anonymous {method}"
