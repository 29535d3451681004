from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("people/search/", views.person_search, name="person-search"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/<uuid:person_id>/", views.person_detail, name="person-detail"),
    path("people/<uuid:person_id>/chronology/", views.chronology, name="chronology"),
    path("people/<uuid:person_id>/edit/", views.person_edit, name="person-edit"),
    path("people/<uuid:person_id>/names/new/", views.person_name_add, name="person-name-add"),
    path("people/<uuid:person_id>/addresses/new/", views.address_add, name="address-add"),
    path("people/<uuid:person_id>/phones/new/", views.phone_add, name="phone-add"),
    path("people/<uuid:person_id>/emails/new/", views.email_add, name="email-add"),
    path("people/<uuid:person_id>/alerts/new/", views.alert_add, name="alert-add"),
    path(
        "people/<uuid:person_id>/relationships/new/",
        views.related_person_add,
        name="related-person-add",
    ),
    path(
        "people/<uuid:person_id>/relationships/link/",
        views.relationship_link,
        name="relationship-link",
    ),
    path("people/<uuid:person_id>/cases/new/", views.case_open, name="case-open"),
    path("people/<uuid:person_id>/restrict/", views.person_restrict, name="person-restrict"),
    path("people/<uuid:person_id>/named-access/", views.named_access_grant, name="named-access"),
    path("break-glass/", views.break_glass, name="break-glass"),
    path("cases/<uuid:case_id>/", views.case_detail, name="case-detail"),
    path("cases/<uuid:case_id>/allocate/", views.case_allocate, name="case-allocate"),
    path(
        "cases/<uuid:case_id>/allocations/<str:allocation_id>/end/",
        views.allocation_end,
        name="allocation-end",
    ),
    path("cases/<uuid:case_id>/close/", views.case_close, name="case-close"),
    path("cases/<uuid:case_id>/transfer/", views.case_transfer, name="case-transfer"),
    path("cases/<uuid:case_id>/contacts/new/", views.contact_create, name="contact-create"),
    path("cases/<uuid:case_id>/notes/new/", views.note_create, name="note-create"),
    path(
        "cases/<uuid:case_id>/assessments/new/", views.assessment_create, name="assessment-create"
    ),
    path("cases/<uuid:case_id>/plans/new/", views.plan_create, name="plan-create"),
    path("cases/<uuid:case_id>/documents/new/", views.document_create, name="document-create"),
    path(
        "cases/<uuid:case_id>/information/new/",
        views.information_create,
        name="information-create",
    ),
    path("items/<uuid:item_id>/", views.item_detail, name="item-detail"),
    path("items/<uuid:item_id>/amend/", views.item_amend, name="item-amend"),
    path(
        "items/<uuid:item_id>/entered-in-error/",
        views.item_entered_in_error,
        name="item-entered-in-error",
    ),
    path("items/<uuid:item_id>/disagreement/", views.disagreement_add, name="disagreement-add"),
    path("items/<uuid:item_id>/submit/", views.assessment_submit, name="assessment-submit"),
    path(
        "items/<uuid:item_id>/authorise/", views.assessment_authorise, name="assessment-authorise"
    ),
    path("items/<uuid:item_id>/return/", views.assessment_return, name="assessment-return"),
    path("items/<uuid:item_id>/review/", views.review_create, name="review-create"),
    path("documents/<uuid:item_id>/download/", views.document_download, name="document-download"),
    path("teams/", views.team_list, name="team-list"),
    path("teams/<str:team_id>/", views.team_detail, name="team-detail"),
    path("historic-records/", views.historic_search, name="historic-search"),
    path("historic-records/new/", views.historic_add, name="historic-add"),
]
