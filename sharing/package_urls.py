"""Outbound package pages, in the "sharing" namespace of sharing/urls.py."""

from django.urls import path

from sharing import package_views as views

P = "packages/<uuid:package_id>/"

urlpatterns = [
    path("<uuid:sharing_id>/package/", views.package, name="package"),
    path(P + "status/", views.package_status, name="package-status"),
    path(P + "download/", views.package_download, name="package-download"),
    path(P + "links/", views.package_link_create, name="package-link-create"),
    path(
        P + "links/<uuid:link_id>/revoke/",
        views.package_link_revoke,
        name="package-link-revoke",
    ),
    # The recipient's page: open to anyone holding a live link (tests/test_url_security.py).
    path("package/<str:token>/", views.package_public, name="package-public"),
]
