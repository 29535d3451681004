from django.urls import path

from records.api import views

app_name = "records-api"

urlpatterns = [
    path("people/", views.PersonListView.as_view(), name="person-list"),
    path("people/<uuid:person_id>/", views.PersonDetailView.as_view(), name="person-detail"),
    path(
        "people/<uuid:person_id>/relationships/",
        views.PersonRelationshipsView.as_view(),
        name="person-relationships",
    ),
    path("people/<uuid:person_id>/cases/", views.PersonCasesView.as_view(), name="person-cases"),
    path(
        "people/<uuid:person_id>/chronology/",
        views.PersonChronologyView.as_view(),
        name="person-chronology",
    ),
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases/<uuid:case_id>/", views.CaseDetailView.as_view(), name="case-detail"),
    path(
        "cases/<uuid:case_id>/allocations/",
        views.CaseAllocationsView.as_view(),
        name="case-allocations",
    ),
    path("cases/<uuid:case_id>/contacts/", views.CaseContactsView.as_view(), name="case-contacts"),
    path("cases/<uuid:case_id>/notes/", views.CaseNotesView.as_view(), name="case-notes"),
    path(
        "cases/<uuid:case_id>/assessments/",
        views.CaseAssessmentsView.as_view(),
        name="case-assessments",
    ),
    path("cases/<uuid:case_id>/plans/", views.CasePlansView.as_view(), name="case-plans"),
    path(
        "cases/<uuid:case_id>/documents/",
        views.CaseDocumentsView.as_view(),
        name="case-documents",
    ),
    path(
        "cases/<uuid:case_id>/information-received/",
        views.CaseInformationReceivedView.as_view(),
        name="case-information-received",
    ),
    path(
        "allocations/<uuid:allocation_id>/end/",
        views.AllocationEndView.as_view(),
        name="allocation-end",
    ),
    path("items/<uuid:item_id>/", views.ItemDetailView.as_view(), name="item-detail"),
    path("items/<uuid:item_id>/amend/", views.ItemAmendView.as_view(), name="item-amend"),
    path(
        "items/<uuid:item_id>/entered-in-error/",
        views.ItemEnteredInErrorView.as_view(),
        name="item-entered-in-error",
    ),
    path(
        "items/<uuid:item_id>/disagreements/",
        views.ItemDisagreementsView.as_view(),
        name="item-disagreements",
    ),
    path("items/<uuid:item_id>/submit/", views.AssessmentSubmitView.as_view(), name="item-submit"),
    path(
        "items/<uuid:item_id>/authorise/",
        views.AssessmentAuthoriseView.as_view(),
        name="item-authorise",
    ),
    path("items/<uuid:item_id>/reviews/", views.PlanReviewsView.as_view(), name="item-reviews"),
    path(
        "documents/<uuid:item_id>/download/",
        views.DocumentDownloadView.as_view(),
        name="document-download",
    ),
]
