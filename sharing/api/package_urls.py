"""Outbound package endpoints, in the "sharing-api" namespace of sharing/api/urls.py."""

from django.urls import path

from sharing.api import package_views as views

P = "packages/<uuid:package_id>/"

urlpatterns = [
    path(
        "sharings/<uuid:sharing_id>/package/",
        views.PackageRequestView.as_view(),
        name="package-request",
    ),
    path(P, views.PackageDetailView.as_view(), name="package-detail"),
    path(P + "download/", views.PackageDownloadView.as_view(), name="package-download"),
    path(P + "links/", views.PackageLinkView.as_view(), name="package-link-create"),
    path(
        P + "links/<uuid:link_id>/revoke/",
        views.PackageLinkRevokeView.as_view(),
        name="package-link-revoke",
    ),
]
