"""Everything under /api/v1/: each app mounts its own API here."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("records.api.urls")),
    path("audit/", include("audit.api.urls")),
    path("access-requests/", include("access_requests.api.urls")),
    path("sharing/", include("sharing.api.urls")),
    path("retention/", include("retention.api.urls")),
]
