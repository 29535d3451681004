from django.urls import include, path

from sharing import views

app_name = "sharing"

PERSON = "people/<uuid:person_id>/"
CONSENT = "consents/<uuid:consent_id>/"

urlpatterns = [
    # Recording a sharing, step by step, and consents, from a person's page.
    path(f"{PERSON}share/", views.share_start, name="share-start"),
    path(f"{PERSON}share/<uuid:draft_id>/<slug:step>/", views.share_step, name="share-step"),
    path(f"{PERSON}consents/new/", views.consent_record, name="consent-record"),
    path(f"{CONSENT}withdraw/", views.consent_withdraw, name="consent-withdraw"),
    path(f"{CONSENT}evidence/", views.consent_evidence, name="consent-evidence"),
    # Managers.
    path("authorisations/", views.authorisation_queue, name="authorisation-queue"),
    # The register.
    path("agencies/", views.agency_list, name="agency-list"),
    path("agencies/new/", views.agency_create, name="agency-create"),
    path("agencies/<uuid:agency_id>/edit/", views.agency_edit, name="agency-edit"),
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/new/", views.agreement_create, name="agreement-create"),
    path("agreements/<uuid:agreement_id>/edit/", views.agreement_edit, name="agreement-edit"),
    # Reports.
    path("reports/", views.report, name="report"),
    path("reports/csv/", views.report_csv, name="report-csv"),
    # One sharing, and its outbound package.
    path("<uuid:sharing_id>/", views.sharing_detail, name="sharing-detail"),
    path("", include("sharing.package_urls")),
]
