from django.urls import path

from access_requests import public_views, views

app_name = "access_requests"

R = "<uuid:request_id>/"
ITEM = f"{R}review/<uuid:item_id>/"
BUNDLE = f"{R}bundles/<uuid:bundle_id>/"
COMPLAINT = "complaints/<uuid:complaint_id>/"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.request_log, name="request-log"),
    path("performance/", views.performance, name="performance"),
    path("performance/export/", views.performance_csv, name="performance-csv"),
    path("bank-holidays/", views.bank_holidays, name="bank-holidays"),
    # One request.
    path(R, views.request_detail, name="request-detail"),
    path(f"{R}requirements/", views.request_requirements, name="request-requirements"),
    path(f"{R}identity/", views.request_identity, name="request-identity"),
    path(f"{R}authority/", views.request_authority, name="request-authority"),
    path(f"{R}fee/", views.request_fee, name="request-fee"),
    path(f"{R}assign/", views.request_assign, name="request-assign"),
    path(f"{R}notes/new/", views.request_note, name="request-note"),
    path(f"{R}documents/new/", views.request_document, name="request-document"),
    path(
        f"{R}documents/<uuid:document_id>/",
        views.request_document_download,
        name="request-document-download",
    ),
    path(f"{R}pause/", views.request_pause, name="request-pause"),
    path(f"{R}resume/", views.request_resume, name="request-resume"),
    path(f"{R}extend/", views.request_extend, name="request-extend"),
    path(f"{R}collect/", views.request_collect, name="request-collect"),
    path(f"{R}submit/", views.request_submit, name="request-submit"),
    path(f"{R}approve/", views.request_approve, name="request-approve"),
    path(f"{R}return/", views.request_return, name="request-return"),
    path(f"{R}close/", views.request_close, name="request-close"),
    path(f"{R}correct/", views.request_correct, name="request-correct"),
    path(f"{R}disagreement/", views.request_disagreement, name="request-disagreement"),
    # Who the request is about.
    path(f"{R}find/", views.identity_search, name="identity-search"),
    path(f"{R}subjects/link/", views.subject_link, name="subject-link"),
    path(f"{R}subjects/<uuid:link_id>/unlink/", views.subject_unlink, name="subject-unlink"),
    # Review.
    path(f"{R}review/", views.review_list, name="review-list"),
    path(ITEM, views.review_item, name="review-item"),
    path(f"{ITEM}redactions/", views.redaction_add, name="redaction-add"),
    path(
        f"{ITEM}redactions/<uuid:redaction_id>/",
        views.redaction_decide,
        name="redaction-decide",
    ),
    path(f"{ITEM}consultation/", views.consultation_record, name="consultation-record"),
    # Disclosure.
    path(f"{R}bundles/", views.bundle_request, name="bundle-request"),
    path(BUNDLE, views.bundle_detail, name="bundle-detail"),
    path(f"{BUNDLE}status/", views.bundle_status, name="bundle-status"),
    path(f"{BUNDLE}download/", views.bundle_download, name="bundle-download"),
    path(f"{BUNDLE}links/", views.link_create, name="link-create"),
    path(f"{BUNDLE}links/<uuid:link_id>/revoke/", views.link_revoke, name="link-revoke"),
    path(f"{R}export/json/", views.export_json, name="export-json"),
    path(f"{R}export/csv/", views.export_csv, name="export-csv"),
    # Data protection complaints.
    path("complaints/", views.complaint_list, name="complaint-list"),
    path("complaints/new/", views.complaint_log, name="complaint-log"),
    path(COMPLAINT, views.complaint_detail, name="complaint-detail"),
    path(f"{COMPLAINT}acknowledge/", views.complaint_acknowledge, name="complaint-acknowledge"),
    path(f"{COMPLAINT}respond/", views.complaint_respond, name="complaint-respond"),
    path(f"{COMPLAINT}withdraw/", views.complaint_withdraw, name="complaint-withdraw"),
    path(f"{COMPLAINT}person/", views.complaint_person, name="complaint-person"),
    # Open to the public, without signing in (reviewed in tests/test_url_security.py).
    path("public/ask/", public_views.ask, name="public-ask"),
    path("public/ask/sent/", public_views.ask_done, name="public-ask-done"),
    path("public/complaint/", public_views.complaint, name="public-complaint"),
    path("public/complaint/sent/", public_views.complaint_done, name="public-complaint-done"),
    path("download/<str:token>/", public_views.download, name="public-download"),
]
