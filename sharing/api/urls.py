from django.urls import include, path

from sharing.api import views

app_name = "sharing-api"

S = "sharings/<uuid:sharing_id>/"

urlpatterns = [
    path("agencies/", views.AgencyListView.as_view(), name="agency-list"),
    path("agencies/<uuid:agency_id>/", views.AgencyDetailView.as_view(), name="agency-detail"),
    path("agreements/", views.AgreementListView.as_view(), name="agreement-list"),
    path(
        "agreements/<uuid:agreement_id>/",
        views.AgreementDetailView.as_view(),
        name="agreement-detail",
    ),
    path(
        "people/<uuid:person_id>/consents/",
        views.PersonConsentsView.as_view(),
        name="person-consents",
    ),
    path(
        "consents/<uuid:consent_id>/withdraw/",
        views.ConsentWithdrawView.as_view(),
        name="consent-withdraw",
    ),
    path(
        "people/<uuid:person_id>/sharings/",
        views.PersonSharingsView.as_view(),
        name="person-sharings",
    ),
    path("sharings/", views.SharingListView.as_view(), name="sharing-list"),
    path("sharings/check/", views.SharingCheckView.as_view(), name="sharing-check"),
    path(
        "sharings/authorisations/",
        views.AuthorisationQueueView.as_view(),
        name="authorisation-queue",
    ),
    path(S, views.SharingDetailView.as_view(), name="sharing-detail"),
    path(S + "authorise/", views.SharingAuthoriseView.as_view(), name="sharing-authorise"),
    path(S + "decline/", views.SharingDeclineView.as_view(), name="sharing-decline"),
    path("reports/", views.ReportView.as_view(), name="report"),
    path("", include("sharing.api.package_urls")),
]
